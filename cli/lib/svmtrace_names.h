/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the module's enums as svmtrace prints and parses them
 * (svmtrace_names.c).  No BPF here: shared by the commands and the pure
 * code the unit tests link.
 */
#ifndef SVMTRACE_NAMES_H
#define SVMTRACE_NAMES_H

#include <linux/types.h>

#include "svmtrace.h"

const char *svmtrace_stage_name(unsigned int v);
const char *svmtrace_direction_name(unsigned int v);
const char *svmtrace_trigger_name(unsigned int v);
const char *svmtrace_path_name(unsigned int v);
const char *svmtrace_iova_reason_name(unsigned int v);
const char *svmtrace_retry_reason_name(unsigned int v);
int svmtrace_parse_stage(const char *name);
int svmtrace_parse_direction(const char *name);
const char *svmtrace_event_name(unsigned int event);

#endif /* SVMTRACE_NAMES_H */
