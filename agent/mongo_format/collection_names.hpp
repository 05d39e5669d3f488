#pragma once

#include <string>
#include <string_view>

// mongodump's file names for collections (docs/mongodump-format.md section 6): Go url.QueryEscape,
// and for escaped names longer than 238 bytes the first 208 bytes + "%24" + base64url(SHA-1(name)).
namespace agent::mongo_format {

std::string escape_collection(std::string_view name);
// Reverses url.QueryEscape ("+" is a space); a hashed long name cannot be reversed and comes
// back as its partial text (callers prefer the metadata's collectionName).
std::string unescape_collection(std::string_view stem);

}  // namespace agent::mongo_format
