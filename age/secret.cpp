#include "age/secret.hpp"

#include <openssl/crypto.h>

namespace age {

void wipe(void* data, std::size_t size) {
  if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

SecretString::SecretString(const SecretString& other) {
  m_text.reserve(other.m_text.capacity());
  m_text = other.m_text;
}

SecretString& SecretString::operator=(const SecretString& other) {
  if (this != &other) {
    wipe(m_text.data(), m_text.capacity());
    m_text.clear();
    m_text.reserve(other.m_text.capacity());
    m_text.append(other.m_text);
  }
  return *this;
}

SecretString::~SecretString() { wipe(m_text.data(), m_text.capacity()); }

}  // namespace age
