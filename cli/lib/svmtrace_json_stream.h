/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A JSON object with one long array written as a stream: the fields before
 * the array, then each item as it is made (and freed), then the fields
 * after it.  The bytes are those json-c would print for the whole tree
 * (JSON_C_TO_STRING_PRETTY), but only one item is in memory at a time.
 */
#ifndef SVMTRACE_JSON_STREAM_H
#define SVMTRACE_JSON_STREAM_H

#include <stdio.h>

#include <json-c/json.h>

/**
 * struct svmtrace_json_stream - an object being written
 * @out: where to
 * @items: items written so far
 */
struct svmtrace_json_stream {
	FILE *out;
	unsigned long long items;
};

void svmtrace_json_stream_begin(struct svmtrace_json_stream *s, FILE *out, json_object *head,
				const char *array);
void svmtrace_json_stream_item(struct svmtrace_json_stream *s, json_object *item);
void svmtrace_json_stream_end(struct svmtrace_json_stream *s, json_object *tail);

#endif /* SVMTRACE_JSON_STREAM_H */
