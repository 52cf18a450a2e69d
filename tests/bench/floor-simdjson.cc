/*
 * floor-simdjson: simdjson's On Demand parser over the same input as
 * okta2ocsf, without the mapping: each line a document (iterate_many over
 * the whole input, read into memory first, which is simdjson's fastest
 * way with NDJSON), and in each the two strings every record needs, id
 * and profile.platform.  A reference for what JSON reading can cost, not
 * a floor okta2ocsf could reach by construction: okta2ocsf streams with
 * a bounded buffer and checks every byte of every line.
 *
 *   g++ -O2 -o floor-simdjson floor-simdjson.cc -lsimdjson
 *   ./floor-simdjson < devices.ndjson   # prints the counts on stderr
 */
#include <cstdio>
#include <string>

#include <simdjson.h>

using namespace simdjson;

int
main()
{
	padded_string json;

	/* One read of the whole input when it is a file (the bench's case). */
	if (padded_string::load("/dev/stdin").get(json)) {
		std::string in;
		char chunk[1 << 16];
		size_t n;

		while ((n = std::fread(chunk, 1, sizeof(chunk), stdin)) > 0)
			in.append(chunk, n);
		json = padded_string(in);
	}
	ondemand::parser parser;
	ondemand::document_stream docs;
	unsigned long count = 0, bad = 0, ids = 0, platforms = 0, sum = 0;

	if (parser.iterate_many(json, 16 * 1024 * 1024).get(docs)) {
		std::fprintf(stderr, "floor-simdjson: iterate_many failed\n");
		return 1;
	}
	for (auto doc : docs) {
		ondemand::object o;
		std::string_view id, platform;

		if (doc.get_object().get(o)) {
			bad++;
			continue;
		}
		count++;
		/* Touch both strings, so that nothing is skipped unseen. */
		if (!o["id"].get_string().get(id)) {
			ids++;
			sum += id.empty() ? 0 : (unsigned char)id[0];
		}
		if (!o["profile"]["platform"].get_string().get(platform)) {
			platforms++;
			sum += platform.empty() ? 0 :
			    (unsigned char)platform[0];
		}
	}
	std::fprintf(stderr, "floor: %lu objects, %lu ids, %lu platforms "
	    "(checksum %lu)", count, ids, platforms, sum);
	if (bad > 0)
		std::fprintf(stderr, ", %lu lines not parsed", bad);
	std::fputc('\n', stderr);
	return 0;
}
