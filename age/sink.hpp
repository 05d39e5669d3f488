#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

// How bytes flow in and out of the streaming classes.
namespace age {

// Receives output bytes in order (ciphertext from an Encryptor, authenticated plaintext from a
// Decryptor). The span is valid only during the call. Return false to stop (Kind::aborted).
using Sink = std::function<bool(std::span<const std::uint8_t> bytes)>;

// Supplies input: fills up to out.size() bytes and returns how many; 0 means the end of the
// input; nullopt stops (Kind::aborted). Short reads are fine.
using Source = std::function<std::optional<std::size_t>(std::span<std::uint8_t> out)>;

}  // namespace age
