/*
 * floor: json-c alone parsing the same input as okta2ocsf, without mapping:
 * read NDJSON from stdin line by line, parse each line with
 * json_tokener_parse, drop it, count the objects.  Once the benchmark's
 * floor; since okta2ocsf reads with its own tokenizer (floor-jscan.c is
 * the floor now), a reference row only.
 *
 *   cc -O2 -o floor floor.c $(pkg-config --cflags --libs json-c)
 *   ./floor < devices.ndjson        # prints the count on stderr
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include <json.h>

int
main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long count = 0, bad = 0;
	struct json_object *o;

	while ((len = getline(&line, &cap, stdin)) != -1) {
		if ((o = json_tokener_parse(line)) == NULL) {
			bad++;
			continue;
		}
		if (json_object_is_type(o, json_type_object))
			count++;
		json_object_put(o);
	}
	free(line);
	fprintf(stderr, "floor: %lu objects", count);
	if (bad > 0)
		fprintf(stderr, ", %lu lines not parsed", bad);
	fputc('\n', stderr);
	return ferror(stdin) ? 1 : 0;
}
