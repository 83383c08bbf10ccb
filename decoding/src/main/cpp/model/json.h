// A small strict JSON reader for the two JSON texts the model loader meets: config.json and the
// safetensors header. RFC 8259 values; duplicate object keys and nesting deeper than 64 are
// rejected; numbers keep their text so integers are read exactly (no double round trip).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace aspd::json {

enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

struct Value {
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string text;  // string value, or the literal text of a number
  std::vector<Value> items;                            // array
  std::vector<std::pair<std::string, Value>> members;  // object, in file order

  // Member `key` of an object, or nullptr when absent (or this is not an object).
  const Value* find(const std::string& key) const;
  bool is_integer() const;  // a number written without fraction or exponent
};

const char* kind_name(Kind kind);

// Parses the whole text; false with "offset N: what" in *err on the first error.
bool parse(const std::string& text, Value* out, std::string* err);

}  // namespace aspd::json
