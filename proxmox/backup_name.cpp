// Hand-written matchers (no std::regex: libstdc++'s matcher recurses per character, and a
// volid comes from the API, i.e. from outside).
#include "proxmox/backup_name.hpp"

#include <array>
#include <charconv>

#include "proxmox/text.hpp"

namespace proxmox {
namespace {

constexpr std::size_t k_max_volid = 1024;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || is_digit(c); }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// pve-storage Plugin.pm parse_volume_id: [a-z][a-z0-9\-\_\.]*[a-z0-9], case-insensitive.
bool valid_storage_id(std::string_view id) {
  if (id.size() < 2) return false;
  if (lower(id.front()) < 'a' || lower(id.front()) > 'z') return false;
  if (!is_lower_alnum(lower(id.back()))) return false;
  for (char c : id) {
    c = lower(c);
    if (!is_lower_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Digits at s[pos..pos+n) and the separator after them.
bool digits_at(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return false;
  return all_digits(s.substr(pos, n));
}

// "YYYY_MM_DD-hh_mm_ss" (vzdump file names).
bool is_file_timestamp(std::string_view s) {
  if (s.size() != 19) return false;
  static constexpr std::array<std::pair<std::size_t, char>, 5> seps{
      {{4, '_'}, {7, '_'}, {10, '-'}, {13, '_'}, {16, '_'}}};
  for (const auto& [at, c] : seps) {
    if (s[at] != c) return false;
  }
  return digits_at(s, 0, 4) && digits_at(s, 5, 2) && digits_at(s, 8, 2) && digits_at(s, 11, 2) &&
         digits_at(s, 14, 2) && digits_at(s, 17, 2);
}

// "YYYY-MM-DDThh:mm:ssZ" (PBS snapshot times).
bool is_pbs_timestamp(std::string_view s) {
  if (s.size() != 20) return false;
  static constexpr std::array<std::pair<std::size_t, char>, 6> seps{
      {{4, '-'}, {7, '-'}, {10, 'T'}, {13, ':'}, {16, ':'}, {19, 'Z'}}};
  for (const auto& [at, c] : seps) {
    if (s[at] != c) return false;
  }
  return digits_at(s, 0, 4) && digits_at(s, 5, 2) && digits_at(s, 8, 2) && digits_at(s, 11, 2) &&
         digits_at(s, 14, 2) && digits_at(s, 17, 2);
}

// A path segment of a volname that cannot escape its directory or hide something.
std::string unsafe_reason(std::string_view volname) {
  for (char c : volname) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "it contains a control character";
    if (c == '\\') return "it contains a backslash";
  }
  if (!text::is_valid_utf8(volname)) return "it is not valid UTF-8";
  if (volname.rfind("backup/", 0) != 0) return "its volume name does not start with backup/";
  std::size_t start = 0;
  while (start <= volname.size()) {
    std::size_t end = volname.find('/', start);
    if (end == std::string_view::npos) end = volname.size();
    const std::string_view seg = volname.substr(start, end - start);
    if (seg.empty()) return "it has an empty path segment";
    if (seg == "." || seg == "..") return "it has a '.' or '..' path segment";
    start = end + 1;
  }
  return {};
}

}  // namespace

std::string backup_extension(std::string_view name) {
  // BACKUP_EXT_RE_2 = \.(tgz|(?:tar|vma)(?:\.(gz|lzo|zst|bz2))?) at the end of the name.
  static constexpr std::array<std::string_view, 11> exts{"tgz",     "tar",     "tar.gz", "tar.lzo",
                                                         "tar.zst", "tar.bz2", "vma",    "vma.gz",
                                                         "vma.lzo", "vma.zst", "vma.bz2"};
  std::string_view best;
  for (const auto ext : exts) {
    if (name.size() > ext.size() + 1 && name.substr(name.size() - ext.size()) == ext &&
        name[name.size() - ext.size() - 1] == '.' && ext.size() > best.size()) {
      best = ext;
    }
  }
  return std::string(best);
}

BackupName parse_backup_volid(std::string_view volid) {
  BackupName out;
  if (volid.size() > k_max_volid) {
    out.reason = "it is longer than " + std::to_string(k_max_volid) + " bytes";
    return out;
  }
  const std::size_t colon = volid.find(':');
  if (colon == std::string_view::npos || !valid_storage_id(volid.substr(0, colon))) {
    out.reason = "it has no valid storage prefix";
    return out;
  }
  out.storage = std::string(volid.substr(0, colon));
  const std::string_view volname = volid.substr(colon + 1);
  out.volname = std::string(volname);
  if (auto why = unsafe_reason(volname); !why.empty()) {
    out.reason = std::move(why);
    return out;
  }
  const std::string_view rest = volname.substr(7);  // after "backup/"

  if (rest.find('/') == std::string_view::npos) {
    const std::string ext = backup_extension(rest);
    if (ext.empty()) {
      out.form = BackupNameForm::other;
      return out;
    }
    out.form = BackupNameForm::other;
    for (const std::string_view type : {"lxc", "openvz", "qemu"}) {
      const std::string prefix = "vzdump-" + std::string(type) + "-";
      // archive_info: vzdump-(lxc|openvz|qemu)-.+<ext>: at least one character between.
      if (rest.rfind(prefix, 0) == 0 && rest.size() > prefix.size() + ext.size() + 1) {
        out.form = BackupNameForm::vzdump_file;
        out.guest_type = std::string(type);
        // Standard: <prefix><vmid 3..9 digits, no leading 0>-<timestamp>.<ext> exactly.
        const std::string_view tail = rest.substr(prefix.size());
        const std::size_t dash = tail.find('-');
        if (dash == std::string_view::npos) break;
        const std::string_view id = tail.substr(0, dash);
        const std::string_view stamp_and_ext = tail.substr(dash + 1);
        if (id.size() < 3 || id.size() > 9 || !all_digits(id) || id.front() == '0') break;
        if (stamp_and_ext.size() != 19 + 1 + ext.size()) break;
        if (!is_file_timestamp(stamp_and_ext.substr(0, 19)) || stamp_and_ext[19] != '.') break;
        out.vmid = to_int(id);
        out.standard = out.vmid.has_value();
        break;
      }
    }
    return out;
  }

  // PBS: backup/([^\s_]+)/([^\s_]+)/(timestamp) (PBSPlugin.pm parse_volname).
  const std::size_t s1 = rest.find('/');
  const std::size_t s2 = rest.find('/', s1 + 1);
  if (s2 != std::string_view::npos && rest.find('/', s2 + 1) == std::string_view::npos) {
    const std::string_view btype = rest.substr(0, s1);
    const std::string_view bid = rest.substr(s1 + 1, s2 - s1 - 1);
    const std::string_view btime = rest.substr(s2 + 1);
    const auto no_space_underscore = [](std::string_view s) {
      for (char c : s) {
        if (c == '_' || c == ' ' || c == '\t') return false;
      }
      return !s.empty();
    };
    if (no_space_underscore(btype) && no_space_underscore(bid) && is_pbs_timestamp(btime)) {
      out.form = BackupNameForm::pbs_snapshot;
      if (btype == "ct") out.guest_type = "lxc";
      if (btype == "vm") out.guest_type = "qemu";
      if (all_digits(bid)) out.vmid = to_int(bid);
      out.standard = !out.guest_type.empty() && out.vmid.has_value();
      return out;
    }
  }
  out.form = BackupNameForm::other;
  return out;
}

}  // namespace proxmox
