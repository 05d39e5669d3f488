// The simulated storages: the main directory storage and any extra ones (dir, PBS, backup
// provider). Upstream rules cited per function; docs/proxmox-api.md sections 6-8 have the context.
#include <sys/stat.h>

#include <algorithm>
#include <regex>

#include "tests/pvesim/archive_writer.hpp"
#include "tests/pvesim/sim_util.hpp"
#include "tests/pvesim/world.hpp"

namespace pvesim {
namespace {

namespace fs = std::filesystem;
using util::basename_of;
using util::read_file;
using util::write_file;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// pve-storage Plugin.pm $get_subdir_files (backup) + Storage.pm archive_info.
std::optional<BackupFile> file_entry(const std::string& storage, const fs::directory_entry& entry,
                                     const TimeZone& tz) {
  // BACKUP_EXT_RE_2 at the end of the name.
  static const std::regex backup(R"(^(.+)\.(tgz|(?:tar|vma)(?:\.(?:gz|lzo|zst|bz2))?)$)");
  // archive_info: vzdump-(lxc|openvz|qemu)-.+<ext> has that type even when renamed ...
  static const std::regex typed(R"(^vzdump-(lxc|openvz|qemu)-.+$)");
  // ... and only this exact form is a standard name (is_std_name).
  static const std::regex standard(
      R"(^vzdump-(lxc|openvz|qemu)-([1-9][0-9]{2,8})-(\d{4})_(\d{2})_(\d{2})-(\d{2})_(\d{2})_(\d{2})$)");
  static const std::regex vmid_re(R"(\-([1-9][0-9]{2,8})\-[^/]+$)");
  std::error_code ec;
  if (!entry.is_regular_file(ec)) return std::nullopt;
  const std::string name = entry.path().filename().string();
  std::smatch m;
  if (!std::regex_match(name, m, backup)) return std::nullopt;
  const std::string stem = m[1].str();
  BackupFile b;
  b.filename = name;
  b.path = entry.path();
  b.path_text = entry.path().string();
  b.storage = storage;
  b.volname = "backup/" + name;
  b.volid = storage + ":" + b.volname;
  b.format = m[2].str();
  b.size = entry.file_size(ec);
  std::smatch t;
  b.subtype = std::regex_match(stem, t, typed) ? t[1].str() : "unknown";
  std::smatch s;
  if (std::regex_match(stem, s, standard)) {
    b.standard = true;
    b.vmid = std::stoll(s[2].str());
    CivilTime c;
    c.year = std::stoi(s[3].str());
    c.month = std::stoi(s[4].str());
    c.day = std::stoi(s[5].str());
    c.hour = std::stoi(s[6].str());
    c.minute = std::stoi(s[7].str());
    c.second = std::stoi(s[8].str());
    b.ctime = tz.from_local(c);
  } else {
    if (std::regex_search(stem, s, vmid_re)) b.vmid = std::stoll(s[1].str());
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) == 0) b.ctime = st.st_ctime;
  }
  const fs::path notes = entry.path().string() + ".notes";
  if (fs::exists(notes, ec)) {
    b.has_notes = true;
    b.notes = read_file(notes);
  }
  b.is_protected = fs::exists(entry.path().string() + ".protected", ec);
  return b;
}

BackupFile snapshot_entry(const StorageSpec& spec, const Snapshot& snap) {
  BackupFile b;
  b.storage = spec.id;
  b.volname = snap.volname;
  b.volid = spec.id + ":" + snap.volname;
  b.filename = snap.volname.substr(7);
  b.is_file = false;
  b.vmid = snap.vmid;
  b.ctime = snap.ctime;
  b.size = snap.size;
  b.subtype = "lxc";
  b.standard = true;
  b.notes = snap.notes;
  b.has_notes = snap.has_notes;
  b.is_protected = snap.is_protected;
  b.verify_state = snap.verify_state;
  b.verify_upid = snap.verify_upid;
  b.encrypted = snap.encrypted;
  if (spec.kind == StorageSpec::Kind::pbs) {
    b.format = "pbs-ct";
    // PBSPlugin.pm path: "pbs://$repo/$name", repo = user@server:datastore.
    b.path_text = "pbs://" + spec.pbs_username + "@" + spec.pbs_server + ":" + spec.pbs_datastore +
                  "/" + snap.volname.substr(7);
  } else {
    b.format = spec.provider_format;
    b.path_text = "";  // the provider's plugin offers no file
  }
  return b;
}

}  // namespace

bool World::has_storage(const std::string& storage) const { return storages.count(storage) != 0; }

const StorageSpec* World::storage_spec(const std::string& storage) const {
  const auto it = storages.find(storage);
  return it == storages.end() ? nullptr : &it->second;
}

fs::path World::dump_dir(const std::string& storage) const {
  return options.data_dir / "storage" / storage / "dump";
}

std::vector<BackupFile> World::list_backups(const std::string& storage) const {
  std::vector<BackupFile> out;
  const StorageSpec* spec = storage_spec(storage);
  if (spec == nullptr) return out;
  if (spec->kind == StorageSpec::Kind::dir) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dump_dir(storage), ec)) {
      if (auto b = file_entry(storage, entry, tz)) out.push_back(std::move(*b));
    }
  } else if (const auto it = snapshots.find(storage); it != snapshots.end()) {
    for (const auto& snap : it->second) out.push_back(snapshot_entry(*spec, snap));
  }
  // Content.pm index: sorted case-insensitively by volid.
  std::sort(out.begin(), out.end(), [](const BackupFile& a, const BackupFile& b) {
    return lower(a.volid) < lower(b.volid);
  });
  return out;
}

std::optional<BackupFile> World::find_backup(const std::string& storage,
                                             const std::string& filename) const {
  return find_volume(storage, "backup/" + filename);
}

std::optional<BackupFile> World::find_volume(const std::string& storage,
                                             const std::string& volname) const {
  for (auto& b : list_backups(storage)) {
    if (b.volname == volname) return b;
  }
  return std::nullopt;
}

std::int64_t World::protected_cap(const std::string& storage, bool caller_has_allocate) const {
  // Storage.pm get_max_protected_backups.
  const StorageSpec* spec = storage_spec(storage);
  if (spec != nullptr && spec->max_protected_backups) return *spec->max_protected_backups;
  return caller_has_allocate ? -1 : 5;
}

std::string World::set_protected(const BackupFile& file, bool on, bool caller_has_allocate) {
  auto apply = [&](bool value) {
    if (file.is_file) {
      const fs::path sentinel = file.path.string() + ".protected";
      std::error_code ec;
      if (value) {
        write_file(sentinel, "");
      } else {
        fs::remove(sentinel, ec);
      }
      return;
    }
    for (auto& snap : snapshots[file.storage]) {
      if (snap.volname == file.volname) snap.is_protected = value;
    }
  };
  if (!on) {
    apply(false);
    return {};
  }
  if (file.is_protected) return {};
  // Storage.pm update_volume_attribute: protected backups of this guest and type.
  const std::int64_t cap = protected_cap(file.storage, caller_has_allocate);
  if (cap >= 0) {
    const auto all = list_backups(file.storage);
    const auto count = std::count_if(all.begin(), all.end(), [&](const BackupFile& b) {
      return b.is_protected && b.vmid == file.vmid && b.subtype == file.subtype;
    });
    if (count >= cap) {
      return "The number of protected backups per guest is limited to " + std::to_string(cap) +
             " on storage '" + file.storage + "'";
    }
  }
  apply(true);
  return {};
}

void World::set_notes(const BackupFile& file, const std::string& notes) {
  if (file.is_file) {
    const auto path = file.path.string() + ".notes";
    std::error_code ec;
    if (notes.empty()) {
      fs::remove(path, ec);
    } else {
      write_file(path, notes);
    }
    return;
  }
  for (auto& snap : snapshots[file.storage]) {
    if (snap.volname == file.volname) {
      snap.notes = notes;
      snap.has_notes = !notes.empty();
    }
  }
}

bool World::remove_volume(const std::string& storage, const std::string& volname) {
  const StorageSpec* spec = storage_spec(storage);
  if (spec == nullptr) return false;
  if (spec->kind != StorageSpec::Kind::dir) {
    auto& list = snapshots[storage];
    const auto before = list.size();
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const Snapshot& s) { return s.volname == volname; }),
               list.end());
    return list.size() != before;
  }
  const std::string file = volname.substr(volname.find('/') + 1);
  const fs::path dir = dump_dir(storage);
  std::error_code ec;
  const bool removed = fs::remove(dir / file, ec);
  // Storage.pm archive_auxiliaries_remove: the .log and .notes sidecars.
  fs::remove(dir / (file + ".notes"), ec);
  fs::remove(dir / (basename_of(file) + ".log"), ec);
  return removed;
}

std::string World::seed_backup(std::int64_t vmid, std::int64_t epoch, const std::string& notes,
                               bool is_protected, const std::string& storage_id) {
  const std::string storage = storage_id.empty() ? options.storage : storage_id;
  const StorageSpec* spec = storage_spec(storage);
  const Guest g = guests.count(vmid) ? guests.at(vmid) : Guest{vmid, "CT" + std::to_string(vmid)};
  if (spec != nullptr && spec->kind != StorageSpec::Kind::dir) {
    Snapshot snap;
    snap.vmid = vmid;
    snap.ctime = epoch;
    snap.volname = spec->kind == StorageSpec::Kind::pbs
                       ? "backup/ct/" + std::to_string(vmid) + "/" + util::iso_utc(epoch)
                       : "backup/ct-" + std::to_string(vmid) + "-" + util::iso_utc(epoch);
    snap.size = options.archive_bytes;
    snap.notes = notes;
    snap.has_notes = !notes.empty();
    snap.is_protected = is_protected;
    snap.config = guest_config_text(g);
    snapshots[storage].push_back(snap);
    return storage + ":" + snap.volname;
  }
  const fs::path dir = dump_dir(storage);
  const std::string name =
      "vzdump-lxc-" + std::to_string(vmid) + "-" + format_local(epoch, true) + ".tar.zst";
  (void)write_archive(dir / name, Compression::zstd, options.archive_bytes,
                      static_cast<std::uint64_t>(epoch), g.name, false, guest_config_text(g));
  write_file(dir / (basename_of(name) + ".log"), format_local(epoch, false) +
                                                     " INFO: Starting Backup of VM " +
                                                     std::to_string(vmid) + " (lxc)\n");
  if (!notes.empty()) write_file(dir / (name + ".notes"), notes);
  if (is_protected) write_file(dir / (name + ".protected"), "");
  return storage + ":backup/" + name;
}

std::optional<std::string> World::archived_config(const BackupFile& file) const {
  if (!file.is_file) {
    const auto it = snapshots.find(file.storage);
    if (it == snapshots.end()) return std::nullopt;
    for (const auto& snap : it->second) {
      if (snap.volname == file.volname) return snap.config;
    }
    return std::nullopt;
  }
  return read_archive_member(file.path, "./etc/vzdump/pct.conf");
}

}  // namespace pvesim
