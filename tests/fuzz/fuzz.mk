# SPDX-License-Identifier: GPL-2.0
#
# libFuzzer targets for the parsers that read outside input (tests/fuzz/),
# included from the top Makefile.  Built with clang under ASan and UBSan
# into build/fuzz/, apart from build/host: the library is compiled again
# with the sanitizers and coverage instrumentation.
#
#   make fuzz-build                   the targets only
#   make fuzz [FUZZ_SECONDS=60]       each target for FUZZ_SECONDS on its
#                                     corpus; new inputs stay in
#                                     build/fuzz/corpus/<target>/, crashes
#                                     go to tests/fuzz/crashes/<target>/
#
# tests/host/fuzz_replay.sh replays the committed corpus and crash inputs.

FUZZ_OUT := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
# UBSan aborts on its first report, so a finding is a crash libFuzzer keeps.
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN) -Wall -Wextra -Werror -std=gnu11 \
	-D_GNU_SOURCE -Ibpf -Icli/lib -Iinclude -Itests/fuzz
FUZZ_LIB := $(FUZZ_OUT)/libsvmtrace-fuzz.a
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(LIB_SRCS))

$(FUZZ_LIB_OBJS): $(FUZZ_OUT)/obj/%.o: %.c $(LIB_HDRS) $(BPF_HDRS) $(UAPI_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(FUZZ_LIB) $(LIB_HDRS)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB) -o $@ $(LIBS_JSON) -lm

.PHONY: fuzz-build fuzz
fuzz-build: $(addprefix $(FUZZ_OUT)/,$(FUZZ_TARGETS))

# Each target starts from its committed seeds plus what earlier runs found
# (build/fuzz/corpus/, the first directory, is where libFuzzer adds); a
# crash is written as tests/fuzz/crashes/<target>/crash-<sha1>, ready to
# be committed with its fix.  All targets run even when one finds a crash.
fuzz: fuzz-build
	@fail=0; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_OUT)/corpus/$$t tests/fuzz/crashes/$$t; \
		echo "== $$t: $(FUZZ_SECONDS) s"; \
		$(FUZZ_OUT)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=tests/fuzz/crashes/$$t/ \
			$(FUZZ_OUT)/corpus/$$t tests/fuzz/corpus/$$t || fail=1; \
	done; exit $$fail

.PHONY: fuzz-clean
clean: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_OUT)
