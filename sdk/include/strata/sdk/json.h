#pragma once

// A small JSON reader for plugin configurations (plugins.config.NAME), so that
// a plugin needs nothing but the SDK and the standard library. It reads RFC
// 8259 JSON into a tree and throws strata::sdk::json::Error with a message a
// plugin can pass on as its start-up error. Not meant for large documents:
// configurations are small.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::sdk::json {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Value {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  Value() = default;

  Type type() const { return type_; }
  bool isNull() const { return type_ == Type::Null; }
  bool isBool() const { return type_ == Type::Bool; }
  bool isNumber() const { return type_ == Type::Number; }
  bool isString() const { return type_ == Type::String; }
  bool isArray() const { return type_ == Type::Array; }
  bool isObject() const { return type_ == Type::Object; }

  /// The typed value; throws Error naming `what` (say, "rules[0].source")
  /// when the value has another type.
  bool asBool(const std::string& what = "value") const {
    expect(Type::Bool, what, "true or false");
    return bool_;
  }
  double asNumber(const std::string& what = "value") const {
    expect(Type::Number, what, "a number");
    return number_;
  }
  std::int64_t asInteger(const std::string& what = "value") const {
    expect(Type::Number, what, "an integer");
    auto n = static_cast<std::int64_t>(number_);
    if (static_cast<double>(n) != number_) throw Error(what + " must be an integer");
    return n;
  }
  const std::string& asString(const std::string& what = "value") const {
    expect(Type::String, what, "a string");
    return string_;
  }
  const std::vector<Value>& asArray(const std::string& what = "value") const {
    expect(Type::Array, what, "a list");
    return array_;
  }
  /// Members in document order.
  const std::vector<std::pair<std::string, Value>>& asObject(
      const std::string& what = "value") const {
    expect(Type::Object, what, "an object");
    return object_;
  }

  /// The member `key` of an object, or null when absent (or not an object).
  const Value* find(const std::string& key) const {
    if (type_ != Type::Object) return nullptr;
    for (const auto& [k, v] : object_)
      if (k == key) return &v;
    return nullptr;
  }

  /// Throws Error naming the first member of this object not in `known`: a
  /// misspelt key in a configuration should stop start-up, not be ignored.
  void requireOnly(const std::vector<std::string>& known, const std::string& what) const {
    for (const auto& [k, v] : asObject(what)) {
      bool ok = false;
      for (const auto& name : known) ok = ok || name == k;
      if (!ok) throw Error(what + "." + k + " is not a known key");
    }
  }

  static Value parse(std::string_view text) {
    Parser p{text, 0};
    p.skipSpace();
    Value v = p.value(0);
    p.skipSpace();
    if (p.pos != text.size()) p.fail("unexpected text after the value");
    return v;
  }

 private:
  void expect(Type t, const std::string& what, const char* wanted) const {
    if (type_ != t) throw Error(what + " must be " + wanted);
  }

  struct Parser {
    std::string_view text;
    std::size_t pos;

    [[noreturn]] void fail(const std::string& what) const {
      throw Error("invalid JSON at offset " + std::to_string(pos) + ": " + what);
    }
    void skipSpace() {
      while (pos < text.size() &&
             (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r'))
        ++pos;
    }
    bool consume(std::string_view word) {
      if (text.substr(pos, word.size()) != word) return false;
      pos += word.size();
      return true;
    }
    Value value(int depth) {
      if (depth > 64) fail("nested too deeply");
      if (pos >= text.size()) fail("unexpected end");
      Value v;
      char c = text[pos];
      if (c == '{') {
        v.type_ = Type::Object;
        ++pos;
        skipSpace();
        if (pos < text.size() && text[pos] == '}') {
          ++pos;
          return v;
        }
        while (true) {
          skipSpace();
          if (pos >= text.size() || text[pos] != '"') fail("expected a member name");
          std::string key = string();
          skipSpace();
          if (pos >= text.size() || text[pos] != ':') fail("expected ':'");
          ++pos;
          skipSpace();
          v.object_.emplace_back(std::move(key), value(depth + 1));
          skipSpace();
          if (pos < text.size() && text[pos] == ',') {
            ++pos;
            continue;
          }
          if (pos < text.size() && text[pos] == '}') {
            ++pos;
            return v;
          }
          fail("expected ',' or '}'");
        }
      }
      if (c == '[') {
        v.type_ = Type::Array;
        ++pos;
        skipSpace();
        if (pos < text.size() && text[pos] == ']') {
          ++pos;
          return v;
        }
        while (true) {
          skipSpace();
          v.array_.push_back(value(depth + 1));
          skipSpace();
          if (pos < text.size() && text[pos] == ',') {
            ++pos;
            continue;
          }
          if (pos < text.size() && text[pos] == ']') {
            ++pos;
            return v;
          }
          fail("expected ',' or ']'");
        }
      }
      if (c == '"') {
        v.type_ = Type::String;
        v.string_ = string();
        return v;
      }
      if (consume("true")) {
        v.type_ = Type::Bool;
        v.bool_ = true;
        return v;
      }
      if (consume("false")) {
        v.type_ = Type::Bool;
        return v;
      }
      if (consume("null")) return v;
      if (c == '-' || (c >= '0' && c <= '9')) {
        v.type_ = Type::Number;
        v.number_ = number();
        return v;
      }
      fail(std::string("unexpected character '") + c + "'");
    }
    double number() {
      std::size_t start = pos;
      auto digits = [&] {
        std::size_t from = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
        if (pos == from) fail("expected a digit");
      };
      if (text[pos] == '-') ++pos;
      if (pos < text.size() && text[pos] == '0')
        ++pos;
      else
        digits();
      if (pos < text.size() && text[pos] == '.') {
        ++pos;
        digits();
      }
      if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
        ++pos;
        if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
        digits();
      }
      // std::stod follows the C locale of the process; JSON numbers are
      // plain enough that this does not matter for configurations.
      return std::stod(std::string(text.substr(start, pos - start)));
    }
    unsigned hex4() {
      if (pos + 4 > text.size()) fail("short \\u escape");
      unsigned u = 0;
      for (int i = 0; i < 4; ++i) {
        char h = text[pos++];
        u <<= 4;
        if (h >= '0' && h <= '9')
          u |= static_cast<unsigned>(h - '0');
        else if (h >= 'a' && h <= 'f')
          u |= static_cast<unsigned>(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F')
          u |= static_cast<unsigned>(h - 'A' + 10);
        else
          fail("bad \\u escape");
      }
      return u;
    }
    static void appendUtf8(std::string& out, unsigned cp) {
      if (cp < 0x80) {
        out += static_cast<char>(cp);
      } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
      }
    }
    std::string string() {
      ++pos;  // the opening quote
      std::string out;
      while (true) {
        if (pos >= text.size()) fail("unterminated string");
        char c = text[pos++];
        if (c == '"') return out;
        if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
        if (c != '\\') {
          out += c;
          continue;
        }
        if (pos >= text.size()) fail("unterminated escape");
        char e = text[pos++];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            unsigned cp = hex4();
            if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair
              if (!consume("\\u")) fail("lone surrogate");
              unsigned low = hex4();
              if (low < 0xDC00 || low > 0xDFFF) fail("bad surrogate pair");
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else if (cp >= 0xDC00 && cp < 0xE000) {
              fail("lone surrogate");
            }
            appendUtf8(out, cp);
            break;
          }
          default:
            fail("bad escape");
        }
      }
    }
  };

  Type type_ = Type::Null;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Value> array_;
  std::vector<std::pair<std::string, Value>> object_;
};

/// Parses `text`; throws Error.
inline Value parse(std::string_view text) {
  return Value::parse(text);
}

}  // namespace strata::sdk::json
