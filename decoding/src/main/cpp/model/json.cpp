#include "json.h"

#include <clocale>
#include <cstdlib>
#include <locale.h>
#include <set>

namespace aspd::json {

namespace {

// strtod follows LC_NUMERIC, which the JVM takes from the user's environment: under a
// comma-decimal locale (de_DE, fr_FR, ...) it read "1.0E-6" as 1.0 and the model loaded with a
// wrong rms_norm_eps. JSON numbers are read in the "C" locale whatever the process's locale is.
locale_t c_numeric_locale() {
  static const locale_t c = newlocale(LC_NUMERIC_MASK, "C", static_cast<locale_t>(0));
  return c;
}

}  // namespace

const Value* Value::find(const std::string& key) const {
  if (kind != Kind::kObject) return nullptr;
  for (const auto& m : members)
    if (m.first == key) return &m.second;
  return nullptr;
}

bool Value::is_integer() const {
  return kind == Kind::kNumber && text.find_first_of(".eE") == std::string::npos;
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kNull: return "null";
    case Kind::kBool: return "boolean";
    case Kind::kNumber: return "number";
    case Kind::kString: return "string";
    case Kind::kArray: return "array";
    case Kind::kObject: return "object";
  }
  return "?";
}

namespace {

constexpr int kMaxDepth = 64;

struct Reader {
  const std::string& s;
  size_t i = 0;
  std::string* err;

  bool fail(const std::string& what) {
    *err = "offset " + std::to_string(i) + ": " + what;
    return false;
  }
  void skip_ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }
  bool literal(const char* word) {
    size_t n = 0;
    while (word[n] != 0) ++n;
    if (s.compare(i, n, word) != 0) return fail(std::string("expected '") + word + "'");
    i += n;
    return true;
  }

  static void append_utf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool hex4(uint32_t* cp) {
    if (i + 4 > s.size()) return fail("truncated \\u escape");
    *cp = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s[i++];
      *cp <<= 4;
      if (c >= '0' && c <= '9') *cp |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') *cp |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') *cp |= static_cast<uint32_t>(c - 'A' + 10);
      else return fail("bad hex digit in \\u escape");
    }
    return true;
  }

  bool string(std::string* out) {
    if (i >= s.size() || s[i] != '"') return fail("expected a string");
    ++i;
    out->clear();
    while (true) {
      if (i >= s.size()) return fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(s[i++]);
      if (c == '"') return true;
      if (c < 0x20) return fail("control character in string");
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        continue;
      }
      if (i >= s.size()) return fail("unterminated escape");
      const char e = s[i++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp = 0;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00) {  // surrogate pair
            uint32_t lo = 0;
            if (s.compare(i, 2, "\\u") != 0) return fail("lone high surrogate");
            i += 2;
            if (!hex4(&lo)) return false;
            if (lo < 0xDC00 || lo >= 0xE000) return fail("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            return fail("lone low surrogate");
          }
          append_utf8(cp, out);
          break;
        }
        default: return fail(std::string("bad escape '\\") + e + "'");
      }
    }
  }

  bool number(Value* v) {
    const size_t start = i;
    if (i < s.size() && s[i] == '-') ++i;
    auto digits = [&] {
      const size_t d = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      return i > d;
    };
    if (i < s.size() && s[i] == '0') {
      ++i;
    } else if (!digits()) {
      return fail("bad number");
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      if (!digits()) return fail("bad number: digits must follow '.'");
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      if (!digits()) return fail("bad number: digits must follow the exponent");
    }
    v->kind = Kind::kNumber;
    v->text = s.substr(start, i - start);
    const locale_t c = c_numeric_locale();
    if (c == static_cast<locale_t>(0)) return fail("cannot open the C locale to read a number");
    v->number = strtod_l(v->text.c_str(), nullptr, c);
    return true;
  }

  bool value(Value* v, int depth) {
    if (depth > kMaxDepth) return fail("nesting deeper than 64");
    skip_ws();
    if (i >= s.size()) return fail("unexpected end of text");
    const char c = s[i];
    if (c == '{') return object(v, depth);
    if (c == '[') return array(v, depth);
    if (c == '"') {
      v->kind = Kind::kString;
      return string(&v->text);
    }
    if (c == 't' || c == 'f') {
      v->kind = Kind::kBool;
      v->boolean = c == 't';
      return literal(c == 't' ? "true" : "false");
    }
    if (c == 'n') {
      v->kind = Kind::kNull;
      return literal("null");
    }
    return number(v);
  }

  bool array(Value* v, int depth) {
    v->kind = Kind::kArray;
    ++i;
    skip_ws();
    if (i < s.size() && s[i] == ']') {
      ++i;
      return true;
    }
    while (true) {
      v->items.emplace_back();
      if (!value(&v->items.back(), depth + 1)) return false;
      skip_ws();
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == ']') {
        ++i;
        return true;
      }
      return fail("expected ',' or ']' in array");
    }
  }

  bool object(Value* v, int depth) {
    v->kind = Kind::kObject;
    ++i;
    skip_ws();
    if (i < s.size() && s[i] == '}') {
      ++i;
      return true;
    }
    std::set<std::string> keys;
    while (true) {
      skip_ws();
      std::string key;
      if (!string(&key)) return false;
      if (!keys.insert(key).second) return fail("duplicate key \"" + key + "\"");
      skip_ws();
      if (i >= s.size() || s[i] != ':') return fail("expected ':' after a key");
      ++i;
      v->members.emplace_back(key, Value{});
      if (!value(&v->members.back().second, depth + 1)) return false;
      skip_ws();
      if (i < s.size() && s[i] == ',') {
        ++i;
        continue;
      }
      if (i < s.size() && s[i] == '}') {
        ++i;
        return true;
      }
      return fail("expected ',' or '}' in object");
    }
  }
};

}  // namespace

bool parse(const std::string& text, Value* out, std::string* err) {
  Reader r{text, 0, err};
  *out = Value{};
  if (!r.value(out, 0)) return false;
  r.skip_ws();
  if (r.i != text.size()) return r.fail("trailing characters after the JSON value");
  return true;
}

}  // namespace aspd::json
