#pragma once

#include "agent/config/config_check.hpp"
#include "agent/core/output.hpp"
#include "agent/events/event_sender.hpp"

// The events' part of `config check` (the URLs' form — https://, or http:// to loopback with
// events.allow_plain_loopback — is checked by the schema already):
//  - always: a `start` ping without `success` and `fail` leaves a healthchecks.io check waiting
//    for an end that never comes (warning); the webhook's authorization file is readable;
//  - with `config check --events`: sends the test events of HttpRunEvents::test() and prints
//    each delivery as a message; one that fails is an error (exit 2) at its key.
namespace agent::events {

ConfigCheck events_config_check(bool send_test, Output& out,
                                TransportMaker make_transport = http::make_curl_transport);

}  // namespace agent::events
