#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

// A small, independent reader of mongodump archives for the stand-in mongorestore and for
// cross-checking the generator in tests: zlib gunzip, in-memory framing, libbson validation and
// a table CRC-64. Deliberately shares no code with agent/mongo_format.
namespace fake_mongo {

struct ReadArchive {
  std::string error;                               // empty when the archive is sound
  std::vector<std::string> namespaces;             // in prelude order
  std::map<std::string, std::uint64_t> documents;  // per namespace
  std::map<std::string, std::string> metadata;     // per namespace: the prelude's metadata text
  // With keep_documents: every body document as relaxed Extended JSON, per namespace.
  std::map<std::string, std::vector<std::string>> json_documents;
};

// gunzips a whole gzip buffer of one or more members; returns false on any error.
bool gunzip(const std::vector<std::uint8_t>& in, std::vector<std::uint8_t>& out);
ReadArchive read_archive(const std::vector<std::uint8_t>& plain, bool keep_documents = false);

}  // namespace fake_mongo
