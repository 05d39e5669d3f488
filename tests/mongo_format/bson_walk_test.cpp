// The hand-written BSON walk (agent/mongo_format/bson_walk.hpp) against libbson: identical
// verdicts on every corpus document and on random mutations of them, and the documented rules
// on hand-made malformed documents.
#include <gtest/gtest.h>

#include <bson/bson.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "agent/mongo_format/bson_check.hpp"
#include "agent/mongo_format/bson_walk.hpp"
#include "tests/fake_mongo/dataset.hpp"

namespace fs = std::filesystem;
namespace mf = agent::mongo_format;

namespace {

using Bytes = std::vector<std::uint8_t>;

bool libbson_valid(const Bytes& d) {
  bson_t b;
  if (!bson_init_static(&b, d.data(), d.size())) return false;
  return bson_validate(&b, BSON_VALIDATE_NONE, nullptr);
}

// libbson's bson_validate is more lenient than docs/mongodump-format.md section 5 in two ways
// the walk is not: it skips a nested document / array / scope that is not a well-formed bson_t
// itself, and it ends the iteration quietly when the last element's key runs into the
// document's terminator (a cut-off value). The reference therefore also requires, at every
// level, that libbson's iteration ends exactly at the terminator (bson_iter_t::next_off, a
// field of libbson's public struct).
bool faithful(const bson_t* b) {
  bson_iter_t it;
  if (!bson_iter_init(&it, b)) return false;
  std::uint32_t last_end = 4;
  while (bson_iter_next(&it)) {
    last_end = it.next_off;
    const std::uint8_t* buf = nullptr;
    std::uint32_t len = 0;
    if (BSON_ITER_HOLDS_DOCUMENT(&it)) {
      bson_iter_document(&it, &len, &buf);
    } else if (BSON_ITER_HOLDS_ARRAY(&it)) {
      bson_iter_array(&it, &len, &buf);
    } else if (BSON_ITER_HOLDS_CODEWSCOPE(&it)) {
      std::uint32_t code_len = 0;
      bson_iter_codewscope(&it, &code_len, &len, &buf);
    } else {
      continue;
    }
    bson_t child;
    if (buf == nullptr || !bson_init_static(&child, buf, len) || !faithful(&child)) return false;
  }
  return last_end == b->len - 1;
}

// The verdict the walk must give: libbson's, without its two lenient cases.
bool reference_valid(const Bytes& d) {
  if (!libbson_valid(d)) return false;
  bson_t b;
  bson_init_static(&b, d.data(), d.size());
  return faithful(&b);
}

Bytes to_bytes(const bson_t* b) {
  const std::uint8_t* p = bson_get_data(b);
  return Bytes(p, p + b->len);
}

// One document holding every BSON type, nested documents, arrays and a code-with-scope.
Bytes all_types_document() {
  bson_t b = BSON_INITIALIZER, sub, arr, scope = BSON_INITIALIZER;
  bson_oid_t oid;
  bson_oid_init_from_string(&oid, "5f1d7a3b2c4e6f8a9b0c1d2e");
  bson_decimal128_t dec;
  bson_decimal128_from_string("12.50", &dec);
  const std::uint8_t bin[] = {1, 2, 3, 4, 5, 6, 7, 8};
  BSON_APPEND_DOUBLE(&b, "d", 3.25);
  BSON_APPEND_UTF8(&b, "s", "smoke");
  BSON_APPEND_DOCUMENT_BEGIN(&b, "sub", &sub);
  BSON_APPEND_INT32(&sub, "$set", 1);
  BSON_APPEND_UTF8(&sub, "a.b", "dotted");
  BSON_APPEND_ARRAY_BEGIN(&sub, "arr", &arr);
  BSON_APPEND_INT64(&arr, "0", 7);
  BSON_APPEND_BOOL(&arr, "1", true);
  bson_append_document_end(&sub, &arr);
  bson_append_document_end(&b, &sub);
  BSON_APPEND_BINARY(&b, "bin", BSON_SUBTYPE_UUID, bin, sizeof bin);
  BSON_APPEND_BINARY(&b, "old", BSON_SUBTYPE_BINARY_DEPRECATED, bin, sizeof bin);
  BSON_APPEND_UNDEFINED(&b, "u");
  BSON_APPEND_OID(&b, "_id", &oid);
  BSON_APPEND_BOOL(&b, "f", false);
  BSON_APPEND_DATE_TIME(&b, "t", 1700000000000);
  BSON_APPEND_NULL(&b, "n");
  BSON_APPEND_REGEX(&b, "re", "^smo+k", "i");
  BSON_APPEND_DBPOINTER(&b, "ptr", "smoker.temps", &oid);
  BSON_APPEND_CODE(&b, "js", "function() { return 1; }");
  BSON_APPEND_SYMBOL(&b, "sym", "brisket");
  BSON_APPEND_INT32(&scope, "x", 42);
  BSON_APPEND_CODE_WITH_SCOPE(&b, "cws", "x + 1", &scope);
  BSON_APPEND_INT32(&b, "i", -5);
  BSON_APPEND_TIMESTAMP(&b, "ts", 1700000000, 3);
  BSON_APPEND_INT64(&b, "l", 1LL << 40);
  BSON_APPEND_DECIMAL128(&b, "dec", &dec);
  BSON_APPEND_MINKEY(&b, "min");
  BSON_APPEND_MAXKEY(&b, "max");
  Bytes out = to_bytes(&b);
  bson_destroy(&scope);
  bson_destroy(&b);
  return out;
}

std::vector<Bytes> split_documents(const Bytes& file) {
  std::vector<Bytes> docs;
  std::size_t off = 0;
  while (file.size() - off >= 5) {
    std::uint32_t len = mf::read_le32(file.data() + off);
    if (len < 5 || len > file.size() - off) break;
    docs.emplace_back(file.begin() + static_cast<std::ptrdiff_t>(off),
                      file.begin() + static_cast<std::ptrdiff_t>(off + len));
    off += len;
  }
  return docs;
}

// Generated dataset documents of every kind, the all-types document, and every document of
// the plain .bson files real mongodump wrote (when that folder exists).
std::vector<Bytes> corpus() {
  std::vector<Bytes> docs;
  for (const auto& c : fake_mongo::default_dataset().collections) {
    for (std::uint64_t i = 0; i < std::min<std::uint64_t>(c.documents, 40); ++i) {
      Bytes d;
      fake_mongo::append_document(d, c, i, 1);
      docs.push_back(std::move(d));
    }
  }
  docs.push_back(all_types_document());
  const fs::path real = SMOKERBAK_REAL_DUMPS_DIR;
  std::error_code ec;
  if (fs::is_directory(real, ec)) {
    for (const auto& e : fs::recursive_directory_iterator(real, ec)) {
      if (e.path().extension() != ".bson" || !e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      for (auto& d : split_documents(file)) docs.push_back(std::move(d));
    }
  }
  return docs;
}

void put_le32(Bytes& d, std::size_t off, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    d[off + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Keeps the outer frame right (length prefix, trailing NUL) so the mutation reaches the
// element walk instead of failing at the first check.
void fix_frame(Bytes& d) {
  if (d.size() < 5) return;
  put_le32(d, 0, static_cast<std::uint32_t>(d.size()));
  d.back() = 0;
}

Bytes mutate(const Bytes& seed, std::mt19937_64& rng) {
  Bytes d = seed;
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  static const std::uint8_t specials[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
                                          0x0F, 0x14, 0x7F, 0x80, 0xFE, 0xFF};
  static const std::uint32_t lengths[] = {0, 1, 3, 4, 5, 6, 13, 14, 0x7FFFFFFF, 0xFFFFFFFF};
  const int kind = static_cast<int>(rng() % 6);
  if (d.size() <= 5) return d;  // nothing left to mutate
  const std::size_t at = 4 + pick(d.size() - 5);
  switch (kind) {
    case 0:  // one byte to a special value (type bytes, NULs, bools, subtypes)
      d[at] = specials[pick(sizeof specials)];
      break;
    case 1:  // one random byte
      d[at] = static_cast<std::uint8_t>(rng());
      break;
    case 2:  // an int32 somewhere: lengths
      if (at + 4 <= d.size()) put_le32(d, at, lengths[pick(sizeof lengths / 4)]);
      break;
    case 3:  // an int32 nudged by a small amount
      if (at + 4 <= d.size()) {
        const auto delta = static_cast<std::uint32_t>(static_cast<int>(pick(9)) - 4);
        put_le32(d, at, mf::read_le32(d.data() + at) + delta);
      }
      break;
    case 4:  // truncated inside, frame repaired
      d.resize(std::max<std::size_t>(5, at));
      fix_frame(d);
      break;
    case 5:  // bytes removed from the middle, frame repaired
      d.erase(d.begin() + static_cast<std::ptrdiff_t>(at),
              d.begin() + static_cast<std::ptrdiff_t>(std::min(d.size() - 1, at + 1 + pick(8))));
      fix_frame(d);
      break;
  }
  if (rng() % 4 == 0) fix_frame(d);
  return d;
}

Bytes doc_of(std::initializer_list<std::uint8_t> body) {
  Bytes d(4, 0);
  d.insert(d.end(), body);
  d.push_back(0);
  put_le32(d, 0, static_cast<std::uint32_t>(d.size()));
  return d;
}

bool walk(const Bytes& d) { return mf::bson_structure_valid(d.data(), d.size()); }

}  // namespace

TEST(BsonWalk, EveryCorpusDocumentGetsLibbsonsVerdict) {
  const auto docs = corpus();
  ASSERT_GT(docs.size(), 100u);
  for (std::size_t i = 0; i < docs.size(); ++i) {
    ASSERT_TRUE(libbson_valid(docs[i])) << "corpus document " << i;
    EXPECT_TRUE(walk(docs[i])) << "corpus document " << i;
  }
}

TEST(BsonWalk, RandomMutationsGetTheSameVerdictAsLibbson) {
  const auto docs = corpus();
  std::mt19937_64 rng(20261126);
  std::size_t accepted = 0, rejected = 0, lenient = 0;
  for (int round = 0; round < 60000; ++round) {
    const Bytes& seed = docs[static_cast<std::size_t>(rng() % docs.size())];
    Bytes d = mutate(seed, rng);
    if (rng() % 3 == 0) d = mutate(d, rng);  // sometimes two mutations
    const bool expected = reference_valid(d);
    const bool got = walk(d);
    // The walk never accepts what libbson (without its lenient cases) rejects.
    if (got) {
      ASSERT_TRUE(expected) << "round " << round << ", " << d.size() << " bytes";
    }
    (got ? accepted : rejected) += 1;
    // Stricter than libbson: keys that are not UTF-8, which libbson 1.23 rejects in some
    // positions (e.g. "devi\xff\xff\xff\x7f") but not in others (a last key ending in \x80).
    if (!got && expected) ++lenient;
  }
  // The mutations must exercise both outcomes, or this test proves nothing.
  EXPECT_GT(accepted, 1000u);
  EXPECT_GT(rejected, 10000u);
  // Those key cases are rare among the mutations; anything frequent is a walk bug.
  EXPECT_LT(lenient, 600u);
  RecordProperty("stricter_than_libbson", static_cast<int>(lenient));
}

TEST(BsonWalk, RejectsFramingErrorsLikeLibbson) {
  EXPECT_TRUE(walk(doc_of({})));
  Bytes d = doc_of({});
  d[0] = 6;
  EXPECT_FALSE(walk(d));  // prefix larger than the buffer
  d = doc_of({0x10, 'a', 0, 1, 0, 0, 0});
  d.back() = 1;
  EXPECT_FALSE(walk(d));  // no trailing NUL
  EXPECT_FALSE(walk(Bytes{4, 0, 0, 0}));
  EXPECT_FALSE(mf::bson_structure_valid(nullptr, 0));
}

TEST(BsonWalk, AcceptsDollarAndDottedKeysAndNonUtf8Strings) {
  EXPECT_TRUE(walk(doc_of({0x10, '$', 'v', 0, 2, 0, 0, 0})));
  EXPECT_TRUE(walk(doc_of({0x10, 'a', '.', 'b', 0, 2, 0, 0, 0})));
  EXPECT_TRUE(walk(doc_of({0x02, 's', 0, 3, 0, 0, 0, 0xC3, 0x28, 0})));
}

TEST(BsonWalk, RejectsEachBrokenElementRule) {
  const std::vector<Bytes> bad = {
      doc_of({0x14, 'a', 0}),                             // unknown type
      doc_of({0x00, 'a', 0}),                             // end-of-document type inside
      doc_of({0x10, 'a', 0, 1, 0}),                       // int32 cut short
      doc_of({0x10, 'a'}),                                // key runs into the terminator
      doc_of({0x08, 'b', 0, 2}),                          // bool other than 0/1
      doc_of({0x02, 's', 0, 0, 0, 0, 0}),                 // string length 0
      doc_of({0x02, 's', 0, 2, 0, 0, 0, 'x', 'y'}),       // string without its NUL
      doc_of({0x02, 's', 0, 9, 0, 0, 0, 'x', 0}),         // string longer than the document
      doc_of({0x03, 'o', 0, 4, 0, 0, 0}),                 // nested length < 5
      doc_of({0x03, 'o', 0, 7, 0, 0, 0, 0, 0}),           // nested runs past the parent
      doc_of({0x03, 'o', 0, 5, 0, 0, 0, 1}),              // nested without its trailing NUL
      doc_of({0x04, 'a', 0, 8, 0, 0, 0, 0x14, 0, 0, 0}),  // bad type inside an array
      doc_of({0x05, 'b', 0, 9, 0, 0, 0, 0, 1}),           // binary longer than the document
      doc_of({0x05, 'b', 0, 4, 0, 0, 0, 2, 9, 0, 0, 0}),  // subtype 2 inner length wrong
      doc_of({0x0B, 'r', 0, 'x', 0}),                     // regex without options string
      doc_of({0x0C, 'p', 0, 2, 0, 0, 0, 'x', 0, 1}),      // DBPointer without its ObjectId
      doc_of({0x0F, 'c', 0, 13, 0, 0, 0, 2, 0, 0, 0, 'x', 0, 5, 0, 0, 0, 0}),  // scope short
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    EXPECT_FALSE(walk(bad[i])) << "case " << i;
    EXPECT_EQ(walk(bad[i]), reference_valid(bad[i])) << "case " << i;
    EXPECT_TRUE(mf::check_bson(bad[i].data(), bad[i].size()).has_value()) << "case " << i;
  }
}

// `depth` documents nested inside each other: {"": {"": ... {} ...}}.
Bytes nested(std::size_t depth) {
  Bytes d;
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < depth; ++i) {
    starts.push_back(d.size());
    d.insert(d.end(), {0, 0, 0, 0, 0x03, 0});
  }
  starts.push_back(d.size());
  d.insert(d.end(), {5, 0, 0, 0, 0});
  for (std::size_t i = depth; i-- > 0;) {
    d.push_back(0);
    put_le32(d, starts[i], static_cast<std::uint32_t>(d.size() - starts[i]));
  }
  return d;
}

TEST(BsonWalk, DeepNestingNeedsNoRecursion) {
  // 100000 nested documents: far deeper than the inline stack, and deep enough to overflow a
  // recursive walker's stack under ASan. With the limit lifted the walk still gets through.
  const std::size_t depth = 100000;
  Bytes d = nested(depth);
  EXPECT_TRUE(mf::bson_structure_valid(d.data(), d.size(), UINT32_MAX));
  d[d.size() - depth / 2] = 1;  // one inner terminator broken
  EXPECT_FALSE(mf::bson_structure_valid(d.data(), d.size(), UINT32_MAX));
}

TEST(BsonWalk, EnforcesMongoDbsNestingLimit) {
  // BSONDepth: 200 levels below the top-level document are fine, 201 are not.
  const Bytes ok = nested(200), deep = nested(201);
  EXPECT_TRUE(walk(ok));
  EXPECT_TRUE(reference_valid(deep));  // libbson has no limit; MongoDB has
  const auto r = mf::walk_bson(deep.data(), deep.size());
  EXPECT_EQ(r.fault, mf::BsonFault::too_deep);
  EXPECT_EQ(r.offset, 200u * 6 + 4);  // the element that opens level 201
  // Arrays and code-with-scope scopes count as levels too.
  Bytes arr = nested(201);
  for (std::size_t i = 0; i < 201; ++i) arr[i * 6 + 4] = 0x04;
  EXPECT_EQ(mf::walk_bson(arr.data(), arr.size()).fault, mf::BsonFault::too_deep);
}

TEST(BsonWalk, TenThousandLevelsGetACleanVerdictWithItsReason) {
  // Issue 11: ~10k-deep documents overflowed the stack in libbson's recursive check, which
  // worded the error of a document the walk had rejected. Valid or broken, the verdict is clean.
  Bytes d = nested(10000);
  auto why = mf::check_bson(d.data(), d.size());
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("nest deeper than MongoDB allows"), std::string::npos) << *why;
  d[d.size() - 5000] = 1;  // broken deep inside as well
  why = mf::check_bson(d.data(), d.size());
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("nest deeper"), std::string::npos) << *why;
}

TEST(BsonWalk, EachFaultIsWordedWithItsOffset) {
  const auto why = mf::check_bson(doc_of({0x08, 'b', 0, 2}).data(), 9);
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why, "invalid BSON: a boolean is neither 0 nor 1 (element at byte 4)");
}
