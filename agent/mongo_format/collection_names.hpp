#pragma once

#include <optional>
#include <string>
#include <string_view>

// mongodump's file names for collections (docs/mongodump-format.md section 6): Go url.QueryEscape,
// and for escaped names longer than 238 bytes the first 208 bytes + "%24" + base64url(SHA-1(name)).
namespace agent::mongo_format {

std::string escape_collection(std::string_view name);
// Reverses url.QueryEscape ("+" is a space); a hashed long name cannot be reversed and comes
// back as its partial text (callers prefer the metadata's collectionName).
std::string unescape_collection(std::string_view stem);

// One name that is safe as a single path component below a directory: 1..255 bytes, no '/',
// no NUL, not "." or "..".
bool safe_path_component(std::string_view name);

// Where mongodump --out (and export) puts a namespace, relative to the output directory:
// `dir` is the database folder ("" for the root) and `stem` the file name without its
// ".bson.gz" / ".metadata.json.gz" suffix. The oplog (db "", collection "oplog") is the root's
// "oplog" (its data file is "oplog.bson", gzip inside, as mongodump writes it). nullopt when
// the database name or the escaped collection name is not a safe path component — which a name
// that passed namespace_problem() never is; the check is kept so no name becomes a path unchecked.
struct DumpFileName {
  std::string dir, stem;
};
std::optional<DumpFileName> dump_file_name(std::string_view db, std::string_view coll);

}  // namespace agent::mongo_format
