#include "age/key_files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace age {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Calls `on_line(number, line)` for each line that is neither empty nor a comment; stops at the
// first error it returns.
template <typename OnLine>
Result<void> for_each_key_line(std::string_view contents, OnLine&& on_line) {
  std::size_t number = 0;
  std::size_t pos = 0;
  while (pos < contents.size()) {
    const auto lf = contents.find('\n', pos);
    std::string_view line =
        contents.substr(pos, lf == std::string_view::npos ? std::string_view::npos : lf - pos);
    pos = lf == std::string_view::npos ? contents.size() : lf + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (auto ok = on_line(number, line); !ok) return ok;
  }
  return {};
}

std::string at(std::string_view name, std::size_t line) {
  return std::string(name) + ": line " + std::to_string(line) + ": ";
}

bool has_outer_whitespace(std::string_view line) {
  auto ws = [](char c) { return c == ' ' || c == '\t'; };
  return ws(line.front()) || ws(line.back());
}

// Reads at most k_max_key_file_size bytes into a SecretString.
Result<SecretString> read_key_file(const std::filesystem::path& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Error::Kind::io, "cannot open " + std::string(what) + " " + path.string() + ": " +
                                     std::strerror(errno));
  }
  SecretString text(k_max_key_file_size + 1);
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    const auto n = static_cast<std::size_t>(in.gcount());
    if (text.size() + n > k_max_key_file_size) {
      wipe(buf, sizeof buf);
      return fail(Error::Kind::io, std::string(what) + " " + path.string() + " is larger than " +
                                       std::to_string(k_max_key_file_size / 1024) +
                                       " KiB; it is not a key file");
    }
    text.append(std::string_view(buf, n));
  }
  wipe(buf, sizeof buf);
  if (in.bad()) {
    return fail(Error::Kind::io, "cannot read " + std::string(what) + " " + path.string());
  }
  return text;
}

}  // namespace

Result<std::vector<Identity>> parse_identity_file(std::string_view contents,
                                                  std::string_view name) {
  if (starts_with(contents, "age-encryption.org/") ||
      starts_with(contents, "-----BEGIN AGE ENCRYPTED FILE-----")) {
    return fail(Error::Kind::unsupported,
                std::string(name) +
                    " is itself age-encrypted (a passphrase-protected identity); decrypt it with "
                    "`age -d` into a file only root can read, and use that");
  }
  std::vector<Identity> ids;
  auto ok = for_each_key_line(contents, [&](std::size_t n, std::string_view line) -> Result<void> {
    if (has_outer_whitespace(line)) {
      return fail(Error::Kind::invalid_key,
                  at(name, n) +
                      "leading or trailing whitespace around the key (age refuses it "
                      "too; remove it)");
    }
    if (starts_with(line, "-----BEGIN")) {
      return fail(Error::Kind::unsupported,
                  at(name, n) +
                      "an SSH or PEM private key; this agent reads only age X25519 "
                      "identities (AGE-SECRET-KEY-1...) from `age-keygen`");
    }
    auto id = Identity::parse(line);
    if (!id) {
      return fail(id.error().kind, at(name, n) + id.error().message);
    }
    ids.push_back(std::move(*id));
    return {};
  });
  if (!ok) return tl::unexpected(ok.error());
  if (ids.empty()) {
    return fail(Error::Kind::invalid_key,
                std::string(name) + " holds no identity (no AGE-SECRET-KEY-1... line)");
  }
  return ids;
}

Result<std::vector<Recipient>> parse_recipients_file(std::string_view contents,
                                                     std::string_view name) {
  std::vector<Recipient> out;
  auto ok = for_each_key_line(contents, [&](std::size_t n, std::string_view line) -> Result<void> {
    if (has_outer_whitespace(line)) {
      return fail(Error::Kind::invalid_key,
                  at(name, n) +
                      "leading or trailing whitespace around the key (age refuses it "
                      "too; remove it)");
    }
    auto r = Recipient::parse(line);
    if (!r) return fail(r.error().kind, at(name, n) + r.error().message);
    out.push_back(*r);
    return {};
  });
  if (!ok) return tl::unexpected(ok.error());
  if (out.empty()) {
    return fail(Error::Kind::invalid_key,
                std::string(name) + " holds no recipient (no age1... line)");
  }
  return out;
}

Result<std::vector<Identity>> read_identity_file(const std::filesystem::path& path) {
  auto text = read_key_file(path, "identity file");
  if (!text) return tl::unexpected(text.error());
  return parse_identity_file(text->view(), "identity file " + path.string());
}

Result<std::vector<Recipient>> read_recipients_file(const std::filesystem::path& path) {
  auto text = read_key_file(path, "recipients file");
  if (!text) return tl::unexpected(text.error());
  return parse_recipients_file(text->view(), "recipients file " + path.string());
}

SecretString format_identity_file(const Identity& identity, std::string_view created) {
  const SecretString key = identity.to_string();
  const std::string pub = identity.recipient().to_string();
  SecretString out(32 + created.size() + pub.size() + key.size());
  out.append("# created: ");
  out.append(created);
  out.append("\n# public key: ");
  out.append(pub);
  out.append("\n");
  out.append(key.view());
  out.append("\n");
  return out;
}

}  // namespace age
