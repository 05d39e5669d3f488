#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// MongoDB's rules for database and collection names, applied to every name that enters from a
// dump (archive prelude and block headers, directory-dump folders and metadata). Sources:
// mongo's NamespaceString::validDBName / validCollectionName / MaxNsCollectionLen and
// DatabaseName::kMaxDatabaseNameLength, mongo-tools' util.ValidateDBName (InvalidDBChars
// "/\\. \"\x00$") and ValidateCollectionGrammar (InvalidCollectionChars "$\x00"); see
// docs/mongodump-format.md section 7. A name that breaks them cannot come from a real server, so a
// dump holding one is not a mongodump dump; it is also what would make a name a path.
namespace agent::mongo_format {

inline constexpr std::size_t k_max_db_name_bytes = 63;     // "< 64 bytes"
inline constexpr std::size_t k_max_namespace_bytes = 255;  // "db.collection", whole

// Why `db` is not a valid database name, or nullopt. Rules: 1..63 bytes of valid UTF-8 without
// '/', '\\', '.', ' ', '"', '$' or NUL. (mongod forbids `*<>:|?` only on Windows; a Linux server
// accepts them and they are harmless in a path, so they are accepted here too.)
std::optional<std::string> db_name_problem(std::string_view db);

// Why `coll` is not a valid collection name of database `db`, or nullopt. Rules: not empty,
// valid UTF-8, not starting with '.', no NUL, no '$' except in the forms MongoDB and mongodump
// use themselves: the oplog namespaces "local.oplog.<name>" (e.g. local.oplog.$main) and the
// users/roles/version collections of --dumpDbUsersAndRoles ("$admin.system.users",
// "$admin.system.roles", "$admin.system.version"); "db.coll" at most 255 bytes.
std::optional<std::string> collection_name_problem(std::string_view db, std::string_view coll);

// Both, for one namespace of a dump. The archive's oplog entry (db "", collection "oplog",
// written by `mongodump --oplog`) is the only namespace with an empty database name.
std::optional<std::string> namespace_problem(std::string_view db, std::string_view coll);

// A name as it appears in messages: control characters and invalid UTF-8 escaped. (The
// messages of the *_problem functions also quote the name.)
std::string shown_name(std::string_view name);

}  // namespace agent::mongo_format
