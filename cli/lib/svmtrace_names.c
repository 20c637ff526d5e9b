// SPDX-License-Identifier: GPL-2.0
/* Names of the module's enums, from the one vocabulary table. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "svmtrace_names.h"

#define SVM_PAGEMAP_VOCAB(c, name, ...)	[c] = name,
#define SVM_PAGEMAP_VOCAB_LAST		SVM_PAGEMAP_VOCAB

const char *const svmtrace_stage_names[] = {
	SVM_PAGEMAP_STAGES [SVMTRACE_STAGE_TOTAL] = "total", NULL,
};
const char *const svmtrace_direction_names[] = { SVM_PAGEMAP_DIRECTIONS NULL };
const char *const svmtrace_trigger_names[] = { SVM_PAGEMAP_TRIGGERS NULL };
const char *const svmtrace_path_names[] = {
	SVM_PAGEMAP_PATHS [SVM_PAGEMAP_PATH_COUNT] = "none", NULL,
};
const char *const svmtrace_iova_reason_names[] = { SVM_PAGEMAP_IOVA_REASONS NULL };
const char *const svmtrace_reject_reason_names[] = { SVM_PAGEMAP_REJECT_REASONS NULL };
const char *const svmtrace_retry_reason_names[] = { SVM_PAGEMAP_RETRY_REASONS NULL };
const char *const svmtrace_inject_point_names[] = { SVM_PAGEMAP_INJECT_POINTS NULL };
const char *const svmtrace_placement_names[] = { SVM_PAGEMAP_PLACEMENTS NULL };
const char *const svmtrace_event_names[] = { SVM_PAGEMAP_EVENTS NULL };

_Static_assert(sizeof(svmtrace_stage_names) / sizeof(char *) == SVMTRACE_STAGE_MAX + 1,
	       "stages and total");
_Static_assert(sizeof(svmtrace_event_names) / sizeof(char *) == SVMTRACE_EV_MAX + 1,
	       "one name per event");

static const char *name_of(const char *const *table, unsigned int v)
{
	unsigned int i;

	for (i = 0; table[i]; i++)
		if (i == v)
			return table[i];
	return "?";
}

const char *svmtrace_stage_name(unsigned int v) { return name_of(svmtrace_stage_names, v); }
const char *svmtrace_direction_name(unsigned int v) { return name_of(svmtrace_direction_names, v); }
const char *svmtrace_trigger_name(unsigned int v) { return name_of(svmtrace_trigger_names, v); }
const char *svmtrace_event_name(unsigned int v) { return name_of(svmtrace_event_names, v); }

const char *svmtrace_iova_reason_name(unsigned int v)
{
	return name_of(svmtrace_iova_reason_names, v);
}

const char *svmtrace_retry_reason_name(unsigned int v)
{
	return name_of(svmtrace_retry_reason_names, v);
}

const char *svmtrace_path_name(unsigned int v)
{
	if (v == SVMTRACE_PATH_NONE)
		v = SVM_PAGEMAP_PATH_COUNT;
	else if (v >= SVM_PAGEMAP_PATH_COUNT)
		return "?";
	return name_of(svmtrace_path_names, v);
}

int svmtrace_name_value_n(const char *const *table, const char *name, size_t len)
{
	int i;

	for (i = 0; table[i]; i++)
		if (strlen(table[i]) == len && !strncasecmp(table[i], name, len))
			return i;
	return -1;
}

int svmtrace_name_value(const char *const *table, const char *name)
{
	return svmtrace_name_value_n(table, name, strlen(name));
}

int svmtrace_parse_stage(const char *name)
{
	return svmtrace_name_value(svmtrace_stage_names, name);
}

int svmtrace_parse_direction(const char *name)
{
	return svmtrace_name_value(svmtrace_direction_names, name);
}

int svmtrace_parse_path(const char *name, size_t len)
{
	int v = svmtrace_name_value_n(svmtrace_path_names, name, len);

	return v == SVM_PAGEMAP_PATH_COUNT ? SVMTRACE_PATH_NONE : v;
}

const char *svmtrace_names_choice(const char *const *table)
{
	static char buf[512];
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; table[i] && off < sizeof(buf); i++)
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s",
				!i ? "" : table[i + 1] ? ", " : " or ", table[i]);
	return buf;
}
