#pragma once

#include <string>

#include <tl/expected.hpp>

namespace pvesim {

// A throwaway PVE-like certificate chain made at simulator start: a self-signed cluster CA
// and two leaf certificates it signs, both valid for IP:127.0.0.1, IP:::1 and DNS:localhost.
// `wrong_*` is the leaf served by the wrong_certificate fault: it verifies against the CA but
// its fingerprint differs from the pinned one. Keys are EC P-256 (fast to generate).
struct TlsMaterial {
  std::string ca_pem;
  std::string leaf_pem, leaf_key_pem, leaf_fingerprint;
  std::string wrong_pem, wrong_key_pem, wrong_fingerprint;
};

tl::expected<TlsMaterial, std::string> make_tls_material(const std::string& node_name);

}  // namespace pvesim
