#include "agent/mongo_format/mongo_names.hpp"

#include "agent/core/safe_text.hpp"

namespace agent::mongo_format {
namespace {

std::string quoted(std::string_view name) { return "\"" + shown_name(name) + "\""; }

std::string describe_char(char c) {
  switch (c) {
    case '\0':
      return "a NUL byte";
    case ' ':
      return "a space";
    default:
      return std::string("'") + c + "'";
  }
}

}  // namespace

std::string shown_name(std::string_view name) { return escape_control_chars(name, Tabs::escape); }

std::optional<std::string> db_name_problem(std::string_view db) {
  if (db.empty()) return std::string("the database name is empty");
  if (db.size() > k_max_db_name_bytes) {
    return "database name " + quoted(db) + " is " + std::to_string(db.size()) +
           " bytes long (MongoDB allows at most 63)";
  }
  if (!is_valid_utf8(db)) return "database name " + quoted(db) + " is not valid UTF-8";
  for (const char c : db) {
    switch (c) {
      case '\0':
      case '/':
      case '\\':
      case '.':
      case ' ':
      case '"':
      case '$':
        return "database name " + quoted(db) + " contains " + describe_char(c) +
               " (MongoDB database names cannot contain / \\ . space \" $ or NUL)";
      default:
        break;
    }
  }
  return std::nullopt;
}

std::optional<std::string> collection_name_problem(std::string_view db, std::string_view coll) {
  if (coll.empty()) return std::string("a collection name is empty");
  if (!is_valid_utf8(coll)) return "collection name " + quoted(coll) + " is not valid UTF-8";
  if (coll.front() == '.') {
    return "collection name " + quoted(coll) + " starts with '.'";
  }
  if (coll.find('\0') != std::string_view::npos) {
    return "collection name " + quoted(coll) + " contains a NUL byte";
  }
  if (coll.find('$') != std::string_view::npos) {
    const bool oplog = db == "local" && coll.rfind("oplog.", 0) == 0;
    const bool users_roles = coll == "$admin.system.users" || coll == "$admin.system.roles" ||
                             coll == "$admin.system.version";
    if (!oplog && !users_roles) {
      return "collection name " + quoted(coll) +
             " contains '$' (only local.oplog.* and mongodump's $admin.system.* may)";
    }
  }
  if (db.size() + 1 + coll.size() > k_max_namespace_bytes) {
    return "namespace " + quoted(std::string(db) + "." + std::string(coll)) + " is " +
           std::to_string(db.size() + 1 + coll.size()) + " bytes long (MongoDB allows at most 255)";
  }
  return std::nullopt;
}

std::optional<std::string> namespace_problem(std::string_view db, std::string_view coll) {
  if (db.empty() && coll == "oplog") return std::nullopt;  // mongodump --oplog's entry
  if (auto p = db_name_problem(db)) return p;
  return collection_name_problem(db, coll);
}

}  // namespace agent::mongo_format
