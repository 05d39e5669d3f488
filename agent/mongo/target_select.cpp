#include "agent/mongo/target_select.hpp"

namespace agent::mongo {

tl::expected<const TargetConfig*, std::string> select_mongo_target(const Config& config,
                                                                   const std::string& name) {
  if (!name.empty()) {
    const auto* t = config.find_target(name);
    if (t == nullptr) return tl::make_unexpected("no target named '" + name + "' in the config");
    if (!t->mongo) return tl::make_unexpected("target '" + name + "' has no mongo tier");
    return t;
  }
  const TargetConfig* found = nullptr;
  for (const auto& t : config.targets) {
    if (!t.mongo) continue;
    if (found != nullptr) {
      return tl::make_unexpected("several targets have a mongo tier; choose one with --target");
    }
    found = &t;
  }
  if (found == nullptr) return tl::make_unexpected("no target has a mongo tier");
  return found;
}

}  // namespace agent::mongo
