#pragma once

#include "agent/config/config.hpp"
#include "agent/drill/drill_runner.hpp"
#include "agent/offsite/destination_client.hpp"

// The off-site source of a mongo drill (`drill --from offsite`): the copy on an off-site
// destination is downloaded, decrypted with the operator's age identity and validated into a
// private directory under state_dir (mode 0700), then checked again like a local backup. The
// fetch is the drill's "fetch" step, so the RTO is the worst day's: nothing left but the
// off-site copy. The private directory is removed when the source is destroyed, and at once
// when the fetch fails.
namespace agent {

// `config` and `clients` must outlive the factory and what it makes.
drill::OffsiteMongoSourceFactory make_offsite_mongo_source_factory(
    const Config& config, const offsite::ClientFactory& clients);

}  // namespace agent
