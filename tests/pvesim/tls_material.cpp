#include "tests/pvesim/tls_material.hpp"

#include <cstdio>
#include <memory>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace pvesim {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

Key new_key() { return Key(EVP_EC_gen("P-256"), &EVP_PKEY_free); }

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

Cert make_cert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key,
               long serial, long days, bool is_ca) {
  Cert cert(X509_new(), &X509_free);
  if (!cert) return cert;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 86400L);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("PVE Cluster Node"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  bool ok = true;
  if (is_ca) {
    ok = add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE") &&
         add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign") &&
         add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  } else {
    ok = add_ext(cert.get(), signer, NID_basic_constraints, "CA:FALSE") &&
         add_ext(cert.get(), signer, NID_key_usage, "digitalSignature,keyEncipherment") &&
         add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth") &&
         add_ext(cert.get(), signer, NID_subject_alt_name,
                 ("IP:127.0.0.1,IP:::1,DNS:localhost,DNS:" + cn).c_str());
  }
  if (!ok || X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) cert.reset();
  return cert;
}

std::string cert_pem(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string key_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  std::string out;
  char hex[4];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, "%02X", md[i]);
    if (i != 0) out += ':';
    out += hex;
  }
  return out;
}

}  // namespace

tl::expected<TlsMaterial, std::string> make_tls_material(const std::string& node_name) {
  Key ca_key = new_key();
  Key leaf_key = new_key();
  Key wrong_key = new_key();
  if (!ca_key || !leaf_key || !wrong_key) return tl::make_unexpected("EC key generation failed");
  Cert ca = make_cert(ca_key.get(), "Proxmox Virtual Environment (pvesim)", nullptr, ca_key.get(),
                      1, 3650, true);
  if (!ca) return tl::make_unexpected("CA certificate creation failed");
  Cert leaf = make_cert(leaf_key.get(), node_name, ca.get(), ca_key.get(), 2, 730, false);
  Cert wrong = make_cert(wrong_key.get(), node_name, ca.get(), ca_key.get(), 3, 730, false);
  if (!leaf || !wrong) return tl::make_unexpected("leaf certificate creation failed");
  TlsMaterial m;
  m.ca_pem = cert_pem(ca.get());
  m.leaf_pem = cert_pem(leaf.get());
  m.leaf_key_pem = key_pem(leaf_key.get());
  m.leaf_fingerprint = fingerprint(leaf.get());
  m.wrong_pem = cert_pem(wrong.get());
  m.wrong_key_pem = key_pem(wrong_key.get());
  m.wrong_fingerprint = fingerprint(wrong.get());
  return m;
}

}  // namespace pvesim
