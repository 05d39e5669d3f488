#include "agent/mongo_format/collection_names.hpp"

#include <openssl/evp.h>

namespace agent::mongo_format {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string base64url_sha1(std::string_view name) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(name.data(), name.size(), md, &len, EVP_sha1(), nullptr);
  unsigned char b64[64];
  const int n = EVP_EncodeBlock(b64, md, static_cast<int>(len));
  std::string s(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (auto& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

}  // namespace

std::string escape_collection(std::string_view name) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : name) {
    if (unreserved(c)) {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  if (out.size() > 238) out = out.substr(0, 208) + "%24" + base64url_sha1(name);
  return out;
}

std::string unescape_collection(std::string_view stem) {
  std::string out;
  for (std::size_t i = 0; i < stem.size(); ++i) {
    if (stem[i] == '+') {
      out += ' ';
    } else if (stem[i] == '%' && i + 2 < stem.size() && hex_value(stem[i + 1]) >= 0 &&
               hex_value(stem[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(stem[i + 1]) * 16 + hex_value(stem[i + 2]));
      i += 2;
    } else {
      out += stem[i];
    }
  }
  return out;
}

bool safe_path_component(std::string_view name) {
  return !name.empty() && name.size() <= 255 && name != "." && name != ".." &&
         name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

std::optional<DumpFileName> dump_file_name(std::string_view db, std::string_view coll) {
  if (db.empty()) {
    if (coll != "oplog") return std::nullopt;
    return DumpFileName{"", "oplog"};
  }
  DumpFileName f{std::string(db), escape_collection(coll)};
  // The longest suffix (".metadata.json.gz", 17 bytes) must still fit a 255-byte file name.
  if (!safe_path_component(f.dir) || !safe_path_component(f.stem) || f.stem.size() > 238) {
    return std::nullopt;
  }
  return f;
}

}  // namespace agent::mongo_format
