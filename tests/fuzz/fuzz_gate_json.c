// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: hist -j / report -j JSON as svmtrace gate reads it for
 * --json and --baseline (gate_input_from_json), then what gate does with a
 * run it accepted: rules evaluated on it as run and as baseline, and
 * written back as a baseline (gate_input_to_json).
 */
#include <stdlib.h>

#include "fuzz_util.h"
#include "svmtrace_gate_io.h"

static const char *const rules[] = {
	"total.p99 < 5ms",
	"total{direction=to_dev}.p50 <= 4 * baseline(total{direction=to_dev}.p50)",
	"map{path=iova}.mean < baseline(map{path=iova}.mean) * 2",
	"copy.max / baseline(copy.max) < 3",
	"retries == 0",
	"iova.peak_bytes <= 64MiB",
	"events.svm_retry < baseline(events.svm_retry) + 0 * 1",
	"migrations > 0",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gate_input in = { .what = "the run" };
	struct gate_result res;
	struct gate_error err;
	struct gate_rule r;
	json_object *back;
	char msg[512] = "";
	size_t i;

	if (gate_input_from_json(&in, fuzz_input_path(data, size), msg, sizeof(msg))) {
		if (!msg[0])
			abort();	/* a refusal that does not say why */
		gate_input_free(&in);
		return 0;
	}
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (gate_rule_parse(rules[i], &r, &err))
			continue;	/* a rule the language no longer has: not the input's fault */
		gate_rule_eval(&r, &in, &in, &res);
		gate_rule_free(&r);
	}
	back = gate_input_to_json(&in);
	json_object_to_json_string(back);
	json_object_put(back);
	gate_input_free(&in);
	return 0;
}
