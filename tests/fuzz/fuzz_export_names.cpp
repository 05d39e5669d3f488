// libFuzzer target: how export turns a namespace into file names (mongodump's escaping,
// agent/mongo_format/collection_names.hpp) and the naming rules that come first
// (mongo_names.hpp). The first byte says where the input splits into database and collection.
// Invariants: a derived name is one safe path component of mongodump's alphabet; an escaped
// name unescapes to the collection (unless it had to be hashed); every valid namespace gets a
// file name; the rule messages are safe text.
#include "agent/core/safe_text.hpp"
#include "agent/mongo_format/collection_names.hpp"
#include "agent/mongo_format/mongo_names.hpp"
#include "tests/fuzz/fuzz_util.hpp"

namespace mf = agent::mongo_format;

namespace {

bool in_alphabet(const std::string& s) {
  for (unsigned char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~' || c == '%' || c == '+';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t split = data[0] % size;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string db = rest.substr(0, split), coll = rest.substr(std::min(split, rest.size()));

  const std::string escaped = mf::escape_collection(coll);
  fuzz::check(escaped.size() <= 238, "escaped name too long");
  fuzz::check(in_alphabet(escaped), "escaped name outside mongodump's alphabet", escaped);
  // Only names whose escaped form is longer than 238 bytes are hashed (to exactly 238).
  if (escaped.size() < 238) {
    fuzz::check(mf::unescape_collection(escaped) == coll, "escape does not round-trip");
  }

  const auto file = mf::dump_file_name(db, coll);
  if (file) {
    fuzz::check(file->dir.empty() || mf::safe_path_component(file->dir), "unsafe folder",
                file->dir);
    fuzz::check(mf::safe_path_component(file->stem), "unsafe file stem", file->stem);
    fuzz::check(file->dir.find('/') == std::string::npos, "folder with a slash");
    fuzz::check(file->dir != ".." && file->dir != ".", "folder is . or ..");
  }
  const auto problem = mf::namespace_problem(db, coll);
  if (!problem) fuzz::check(file.has_value(), "valid namespace without a file name");
  if (problem)
    fuzz::check(agent::is_valid_utf8(*problem) && problem->find('\x1B') == std::string::npos,
                "unsafe rule message", *problem);
  return 0;
}
