#include "tests/fake_mongo/dataset.hpp"

#include <functional>

#include <bson/bson.h>

namespace fake_mongo {
namespace {

// splitmix64: cheap deterministic pseudo-random numbers.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

void oid(bson_t* b, const char* key, std::uint64_t a, std::uint64_t n) {
  bson_oid_t o;
  std::uint8_t raw[12];
  const std::uint32_t t = 1700000000u + static_cast<std::uint32_t>(n / 16);
  raw[0] = static_cast<std::uint8_t>(t >> 24);
  raw[1] = static_cast<std::uint8_t>(t >> 16);
  raw[2] = static_cast<std::uint8_t>(t >> 8);
  raw[3] = static_cast<std::uint8_t>(t);
  for (int i = 0; i < 8; ++i) raw[4 + i] = static_cast<std::uint8_t>(mix(a + n) >> (8 * i));
  bson_oid_init_from_data(&o, raw);
  bson_append_oid(b, key, -1, &o);
}

const char* k_probes[] = {"grate", "meat-1", "meat-2", "ambient"};
const char* k_woods[] = {"hickory", "apple", "cherry", "oak", "mesquite", "pecan"};
const char* k_cuts[] = {"brisket", "pork shoulder", "ribs", "chicken thighs", "salmon", "turkey"};

void users(bson_t* b, std::uint64_t i, std::uint64_t r) {
  oid(b, "_id", 11, i);
  const std::string email = "user" + std::to_string(i) + "@example.org";
  BSON_APPEND_UTF8(b, "email", email.c_str());
  BSON_APPEND_UTF8(b, "displayName", ("Pitmaster " + std::to_string(i)).c_str());
  BSON_APPEND_DATE_TIME(b, "createdAt", 1600000000000ll + static_cast<std::int64_t>(i) * 86400000);
  BSON_APPEND_BOOL(b, "verified", (r & 1) != 0);
  std::uint8_t uuid[16];
  for (int k = 0; k < 16; ++k)
    uuid[k] = static_cast<std::uint8_t>(mix(r + static_cast<std::uint64_t>(k)));
  bson_append_binary(b, "deviceId", -1, BSON_SUBTYPE_UUID, uuid, 16);
  bson_t prefs;
  BSON_APPEND_DOCUMENT_BEGIN(b, "preferences", &prefs);
  BSON_APPEND_UTF8(&prefs, "units", (r & 2) ? "F" : "C");
  BSON_APPEND_INT32(&prefs, "alertMargin", static_cast<std::int32_t>(r % 15));
  BSON_APPEND_NULL(&prefs, "pushToken");
  bson_append_document_end(b, &prefs);
  bson_append_regex(b, "emailPattern", -1, ".*@example\\.org$", "i");
}

void smokes(bson_t* b, std::uint64_t i, std::uint64_t r) {
  oid(b, "_id", 22, i);
  oid(b, "userId", 11, r % 25);
  BSON_APPEND_UTF8(b, "cut", k_cuts[r % 6]);
  BSON_APPEND_UTF8(b, "wood", k_woods[(r >> 8) % 6]);
  BSON_APPEND_DOUBLE(b, "weightKg", 1.0 + static_cast<double>(r % 900) / 100.0);
  BSON_APPEND_DATE_TIME(b, "startedAt", 1700000000000ll + static_cast<std::int64_t>(i) * 3600000);
  BSON_APPEND_INT64(b, "durationSec", static_cast<std::int64_t>(3600 + r % 50000));
  bson_decimal128_t price;
  bson_decimal128_from_string(
      ("" + std::to_string(10 + r % 90) + "." + std::to_string(r % 100)).c_str(), &price);
  BSON_APPEND_DECIMAL128(b, "costEur", &price);
  bson_t targets, t;
  BSON_APPEND_ARRAY_BEGIN(b, "targets", &targets);
  for (int k = 0; k < 3; ++k) {
    const std::string key = std::to_string(k);
    bson_append_document_begin(&targets, key.c_str(), -1, &t);
    BSON_APPEND_UTF8(&t, "probe", k_probes[k + 1]);
    BSON_APPEND_DOUBLE(&t, "targetC", 60.0 + static_cast<double>((r >> k) % 35));
    bson_append_document_end(&targets, &t);
  }
  bson_append_array_end(b, &targets);
  BSON_APPEND_UTF8(b, "notes", "Wrapped at the stall, rested in a cooler for an hour.");
  BSON_APPEND_BOOL(b, "finished", true);
}

void temps(bson_t* b, std::uint64_t i, std::uint64_t r) {
  oid(b, "_id", 33, i);
  oid(b, "smokeId", 22, i / 500);
  BSON_APPEND_DATE_TIME(b, "ts", 1700000000000ll + static_cast<std::int64_t>(i) * 15000);
  bson_t probes, arr;
  BSON_APPEND_DOCUMENT_BEGIN(b, "probes", &probes);
  for (int k = 0; k < 4; ++k) {
    BSON_APPEND_DOUBLE(&probes, k_probes[k],
                       20.0 + static_cast<double>((r >> (8 * k)) % 2000) / 10.0);
  }
  bson_append_document_end(b, &probes);
  BSON_APPEND_INT32(b, "fanPct", static_cast<std::int32_t>(r % 101));
  BSON_APPEND_INT32(b, "rssi", -40 - static_cast<std::int32_t>(r % 50));
  BSON_APPEND_ARRAY_BEGIN(b, "raw", &arr);
  for (int k = 0; k < 4; ++k) {
    const std::string key = std::to_string(k);
    bson_append_int32(&arr, key.c_str(), -1, static_cast<std::int32_t>((r >> (4 * k)) % 4096));
  }
  bson_append_array_end(b, &arr);
  BSON_APPEND_UTF8(b, "firmware", "smokerbox-2.4.1");
  if (i % 64 == 0) BSON_APPEND_TIMESTAMP(b, "syncedAt", static_cast<std::uint32_t>(i), 1700000000u);
}

void notifications(bson_t* b, std::uint64_t i, std::uint64_t r) {
  oid(b, "_id", 44, i);
  oid(b, "userId", 11, r % 25);
  BSON_APPEND_UTF8(b, "type", (r & 1) ? "probe-target-reached" : "fire-low");
  BSON_APPEND_UTF8(b, "message",
                   ("Probe meat-1 reached " + std::to_string(60 + r % 35) + " C").c_str());
  BSON_APPEND_DATE_TIME(b, "sentAt", 1700000000000ll + static_cast<std::int64_t>(i) * 600000);
  if (r & 2) {
    BSON_APPEND_DATE_TIME(b, "readAt",
                          1700000000000ll + static_cast<std::int64_t>(i) * 600000 + 60000);
  } else {
    BSON_APPEND_NULL(b, "readAt");
  }
}

// An oplog entry as a replica set writes it: {ts, t, v, op, ns, ui?, o, wall}.
void oplog_entry(bson_t* b, std::uint64_t i, std::uint64_t r) {
  BSON_APPEND_TIMESTAMP(b, "ts", static_cast<std::uint32_t>(1 + i % 1000),
                        1700000000u + static_cast<std::uint32_t>(i / 1000));
  BSON_APPEND_INT64(b, "t", 3);
  BSON_APPEND_INT32(b, "v", 2);
  BSON_APPEND_UTF8(b, "op", (r & 1) ? "i" : "u");
  BSON_APPEND_UTF8(b, "ns", "smoker.temps");
  bson_t o;
  BSON_APPEND_DOCUMENT_BEGIN(b, "o", &o);
  if (r & 1) {
    oid(&o, "_id", 33, i);
    BSON_APPEND_DOUBLE(&o, "celsius", 20.0 + static_cast<double>(r % 2000) / 10.0);
  } else {
    BSON_APPEND_INT32(&o, "$v", 2);
    bson_t diff;
    BSON_APPEND_DOCUMENT_BEGIN(&o, "diff", &diff);
    BSON_APPEND_INT32(&diff, "u", static_cast<std::int32_t>(r % 100));
    bson_append_document_end(&o, &diff);
  }
  bson_append_document_end(b, &o);
  BSON_APPEND_DATE_TIME(b, "wall", 1700000000000ll + static_cast<std::int64_t>(i) * 1000);
}

// {_id: index, d: {"": {"": ... {} ...}}} with k_deep_levels levels below the top, written
// byte by byte (libbson's builder keeps a frame per level).
void deep_document(std::vector<std::uint8_t>& out, std::uint64_t index) {
  auto le32 = [](std::vector<std::uint8_t>& d, std::size_t at, std::size_t v) {
    for (int k = 0; k < 4; ++k)
      d[at + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(v >> (8 * k));
  };
  std::vector<std::uint8_t> d(4, 0);
  d.insert(d.end(), {0x10, '_', 'i', 'd', 0});
  for (int k = 0; k < 4; ++k) d.push_back(static_cast<std::uint8_t>(index >> (8 * k)));
  d.insert(d.end(), {0x03, 'd', 0});
  std::vector<std::size_t> starts;
  for (std::size_t level = 1; level < k_deep_levels; ++level) {
    starts.push_back(d.size());
    d.insert(d.end(), {0, 0, 0, 0, 0x03, 0});
  }
  d.insert(d.end(), {5, 0, 0, 0, 0});
  for (std::size_t k = starts.size(); k-- > 0;) {
    d.push_back(0);
    le32(d, starts[k], d.size() - starts[k]);
  }
  d.push_back(0);
  le32(d, 0, d.size());
  out.insert(out.end(), d.begin(), d.end());
}

std::string json_escaped(const std::string& s) {
  std::string out;
  static const char* hex = "0123456789abcdef";
  for (const unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

DatasetSpec default_dataset(const std::string& db) {
  DatasetSpec s;
  s.db = db;
  s.collections = {{"users", "users", 25},
                   {"smokes", "smokes", 120},
                   {"temps", "temps", 4000},
                   {"notifications", "notifications", 300},
                   {"presets", "empty", 0}};
  return s;
}

DatasetSpec scaled_dataset(std::uint64_t bytes, const std::string& db) {
  DatasetSpec s = default_dataset(db);
  // A temps document is ~200 bytes; the others stay small.
  s.collections[2].documents = bytes / 200 + 1;
  s.collections[3].documents = bytes / 20000 + 1;
  return s;
}

void append_document(std::vector<std::uint8_t>& out, const CollectionSpec& c, std::uint64_t index,
                     std::uint64_t seed) {
  if (c.kind == "deep") {
    deep_document(out, index);
    return;
  }
  bson_t b;
  bson_init(&b);
  const std::uint64_t r = mix(seed * 1000003 + index);
  if (c.kind == "oplog") {
    oplog_entry(&b, index, r);
  } else if (c.kind == "users") {
    users(&b, index, r);
  } else if (c.kind == "smokes") {
    smokes(&b, index, r);
  } else if (c.kind == "notifications") {
    notifications(&b, index, r);
  } else {
    temps(&b, index, r);
  }
  const std::uint8_t* data = bson_get_data(&b);
  out.insert(out.end(), data, data + b.len);
  bson_destroy(&b);
}

std::string metadata_json(const std::string& db, const CollectionSpec& c) {
  (void)db;
  std::string uuid;
  const std::uint64_t h = mix(std::hash<std::string>{}(c.name));
  static const char* hex = "0123456789abcdef";
  for (int i = 0; i < 32; ++i)
    uuid += hex[(mix(h + static_cast<std::uint64_t>(i / 16)) >> (4 * (i % 16))) & 0xF];
  // Secondary indexes as the application creates them (users by email, temps by time).
  std::string extra;
  if (c.kind == "users") {
    extra =
        R"(,{"v":{"$numberInt":"2"},"key":{"email":{"$numberInt":"1"}},"name":"email_1","unique":true})";
  } else if (c.kind == "temps") {
    extra = R"(,{"v":{"$numberInt":"2"},"key":{"ts":{"$numberInt":"1"}},"name":"ts_1"})";
  }
  return R"({"indexes":[{"v":{"$numberInt":"2"},"key":{"_id":{"$numberInt":"1"}},"name":"_id_"})" +
         extra + R"(],"uuid":")" + uuid + R"(","collectionName":")" + json_escaped(c.name) +
         R"(","type":"collection"})";
}

}  // namespace fake_mongo
