/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the module's enums as svmtrace prints and parses them, all from
 * the one vocabulary table (include/uapi/svm_pagemap_vocab.h).  No BPF here:
 * shared by the commands and the pure code the unit tests link.
 */
#ifndef SVMTRACE_NAMES_H
#define SVMTRACE_NAMES_H

#include <linux/types.h>

#include "svmtrace.h"

/*
 * NULL-terminated, indexed by value.  Stages end with "total"
 * (SVMTRACE_STAGE_TOTAL); the path values a histogram key can hold end with
 * "none", whose value is SVMTRACE_PATH_NONE rather than its index.
 */
extern const char *const svmtrace_stage_names[];
extern const char *const svmtrace_direction_names[];
extern const char *const svmtrace_trigger_names[];
extern const char *const svmtrace_path_names[];
extern const char *const svmtrace_iova_reason_names[];
extern const char *const svmtrace_reject_reason_names[];
extern const char *const svmtrace_retry_reason_names[];
extern const char *const svmtrace_inject_point_names[];
extern const char *const svmtrace_placement_names[];
extern const char *const svmtrace_event_names[];

const char *svmtrace_stage_name(unsigned int v);
const char *svmtrace_direction_name(unsigned int v);
const char *svmtrace_trigger_name(unsigned int v);
const char *svmtrace_path_name(unsigned int v);
const char *svmtrace_iova_reason_name(unsigned int v);
const char *svmtrace_retry_reason_name(unsigned int v);
const char *svmtrace_event_name(unsigned int event);

/* The value named @name (any case) in @table, or -1. */
int svmtrace_name_value(const char *const *table, const char *name);
/* The same for a name of @len bytes that need not end the string. */
int svmtrace_name_value_n(const char *const *table, const char *name, size_t len);
int svmtrace_parse_stage(const char *name);
int svmtrace_parse_direction(const char *name);
/* A path name, "none" included, to its key value; -1 if unknown. */
int svmtrace_parse_path(const char *name, size_t len);
/* "a, b, c or d" of @table, for messages (a static buffer). */
const char *svmtrace_names_choice(const char *const *table);

#endif /* SVMTRACE_NAMES_H */
