// libFuzzer target: the iterative BSON walk (agent/mongo_format/bson_walk.hpp) on one document,
// differentially against libbson: whatever the walk accepts, libbson's bson_validate accepts
// too (libbson is only asked about documents the walk accepted, which are at most 200 levels
// deep, so its recursion is safe). check_bson agrees with the walk; the document sequence
// reader (.bson files) takes the same bytes in pieces without crashing.
#include <bson/bson.h>

#include "agent/mongo_format/bson_check.hpp"
#include "agent/mongo_format/bson_sequence.hpp"
#include "agent/mongo_format/bson_walk.hpp"
#include "tests/fuzz/fuzz_util.hpp"

namespace mf = agent::mongo_format;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const mf::BsonWalkResult r = mf::walk_bson(data, size);
  const bool ok = r.fault == mf::BsonFault::none;
  fuzz::check(ok == !mf::check_bson(data, size).has_value(), "check_bson disagrees with the walk");
  fuzz::check(ok || r.offset < size || r.fault == mf::BsonFault::framing, "fault offset outside");
  if (ok) {
    bson_t b;
    fuzz::check(bson_init_static(&b, data, size), "walk accepted a bad frame");
    fuzz::check(bson_validate(&b, BSON_VALIDATE_NONE, nullptr),
                "walk accepted what libbson rejects");
  }
  // A looser limit never rejects what a stricter one accepts.
  if (ok) fuzz::check(mf::bson_structure_valid(data, size, 1000), "deeper limit rejects");

  mf::BsonSequence seq;
  fuzz::Chunks chunks(data, size);
  for (std::size_t off = 0; off < size;) {
    const std::size_t n = chunks.next(size - off);
    seq.consume(data + off, n);
    off += n;
  }
  seq.finish();
  fuzz::check(!seq.failed() || !seq.error().empty(), "failed without a reason");
  if (ok) fuzz::check(!seq.failed() && seq.documents() == 1, "one valid document not read as one");
  return 0;
}
