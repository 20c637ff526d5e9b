// SPDX-License-Identifier: GPL-2.0
/*
 * json-c's pretty printer indents two spaces per level and puts every
 * member and element on its own line, with the comma at the end of the
 * line before.  An item printed alone and shifted by the depth of the
 * array inside the object (two levels) is therefore exactly what the
 * printer of the whole tree would write; strings never hold a raw newline
 * (they are escaped), so shifting every line is safe.
 */
#include <string.h>

#include "svmtrace_json_stream.h"

#define FLAGS	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)
#define ITEM_INDENT "    "	/* members of an object in an array in the root object */

/* @head's members, left open for more; frees @head. */
void svmtrace_json_stream_begin(struct svmtrace_json_stream *s, FILE *out, json_object *head,
				const char *array)
{
	const char *txt = json_object_to_json_string_ext(head, FLAGS);
	size_t len = strlen(txt);

	s->out = out;
	s->items = 0;
	if (json_object_object_length(head)) {
		/* "{\n  ...\n}": all but the closing "\n}" */
		fwrite(txt, 1, len - 2, out);
		fputc(',', out);
	} else {
		fputc('{', out);
	}
	fprintf(out, "\n  \"%s\":[", array);
	json_object_put(head);
}

/* One element of the array; frees @item. */
void svmtrace_json_stream_item(struct svmtrace_json_stream *s, json_object *item)
{
	const char *c = json_object_to_json_string_ext(item, FLAGS);

	const char *nl;

	fputs(s->items++ ? ",\n" ITEM_INDENT : "\n" ITEM_INDENT, s->out);
	while ((nl = strchr(c, '\n'))) {
		fwrite(c, 1, nl - c + 1, s->out);
		fputs(ITEM_INDENT, s->out);
		c = nl + 1;
	}
	fputs(c, s->out);
	json_object_put(item);
}

/* Close the array, then @tail's members and the object, and a newline; frees @tail. */
void svmtrace_json_stream_end(struct svmtrace_json_stream *s, json_object *tail)
{
	const char *txt = json_object_to_json_string_ext(tail, FLAGS);

	fputs("\n  ]", s->out);
	if (json_object_object_length(tail))
		fprintf(s->out, ",%s\n", txt + 1);	/* "{\n  ...\n}" without its "{" */
	else
		fputs("\n}\n", s->out);
	json_object_put(tail);
}
