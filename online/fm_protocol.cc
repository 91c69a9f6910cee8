#include "online/fm_protocol.h"

#include <cstdio>


namespace melograph {

namespace {

class JsonLine {
 public:
  explicit JsonLine(std::string_view text) : text_(text) {}

  // Records the first error; parsing stops at the next check of failed().
  void Fail(const std::string& reason) {
    if (failed_) return;
    failed_ = true;
    column_ = static_cast<int64_t>(pos_) + 1;
    reason_ = reason;
    pos_ = text_.size();
  }
  bool failed() const { return failed_; }
  int64_t column() const { return column_; }
  const std::string& reason() const { return reason_; }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r')) ++pos_;
  }
  bool At(char c) {
    SkipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void Expect(char c, const char* what) {
    if (failed_) return;
    if (!At(c)) {
      Fail(std::string("expected ") + what);
      return;
    }
    ++pos_;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }
  char Peek() {
    SkipSpace();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  std::string String() {
    Expect('"', "a string");
    std::string out;
    if (failed_) return out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_];
      if (static_cast<unsigned char>(c) < 0x20) {
        Fail("control character in a string");
        return out;
      }
      if (c == '\\') {
        if (++pos_ == text_.size()) {
          Fail("unterminated escape");
          return out;
        }
        c = text_[pos_];
        switch (c) {
          case '"': case '\\': case '/': out.push_back(c); break;
          case 'n': out.push_back('\n'); break;
          case 't': out.push_back('\t'); break;
          case 'r': out.push_back('\r'); break;
          case 'b': out.push_back('\b'); break;
          case 'f': out.push_back('\f'); break;
          case 'u': {
            if (pos_ + 4 >= text_.size()) {
              Fail("short \\u escape");
              return out;
            }
            unsigned code = 0;
            for (int i = 1; i <= 4; ++i) {
              const char h = text_[pos_ + static_cast<size_t>(i)];
              code <<= 4;
              if (h >= '0' && h <= '9') code |= static_cast<unsigned>(h - '0');
              else if (h >= 'a' && h <= 'f') code |= static_cast<unsigned>(h - 'a' + 10);
              else if (h >= 'A' && h <= 'F') code |= static_cast<unsigned>(h - 'A' + 10);
              else {
                Fail("bad \\u escape");
                return out;
              }
            }
            if (code >= 0xD800 && code <= 0xDFFF) {
              Fail("surrogate \\u escapes are not supported");
              return out;
            }
            if (code < 0x80) {
              out.push_back(static_cast<char>(code));
            } else if (code < 0x800) {
              out.push_back(static_cast<char>(0xC0 | (code >> 6)));
              out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
            } else {
              out.push_back(static_cast<char>(0xE0 | (code >> 12)));
              out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
              out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
            }
            pos_ += 4;
            break;
          }
          default: Fail(std::string("bad escape \\") + c); return out;
        }
        ++pos_;
      } else {
        out.push_back(c);
        ++pos_;
      }
    }
    if (pos_ == text_.size()) {
      Fail("unterminated string");
      return out;
    }
    ++pos_;
    return out;
  }

  bool Bool() {
    SkipSpace();
    if (text_.substr(pos_).starts_with("true")) {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_).starts_with("false")) {
      pos_ += 5;
      return false;
    }
    Fail("expected true or false");
    return false;
  }

  int64_t Integer() {
    SkipSpace();
    const size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    int64_t v = 0;
    bool digits = false;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (v > 100000000) {
        Fail("integer too large");
        return 0;
      }
      v = v * 10 + (text_[pos_] - '0');
      ++pos_;
      digits = true;
    }
    if (!digits) {
      pos_ = start;
      Fail("expected an integer");
      return 0;
    }
    return text_[start] == '-' ? -v : v;
  }

  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  bool failed_ = false;
  int64_t column_ = 0;
  std::string reason_;
};

}  // namespace

bool ParseFmRequest(std::string_view line, FmRequest* request, int64_t* column, std::string* reason) {
  JsonLine p(line);
  FmRequest& r = *request;
  r = FmRequest{};
  bool has_user = false, has_song = false, has_feedback = false, has_action = false;
  const auto fail = [&] {
    *column = p.column();
    *reason = p.reason();
    return false;
  };
  p.Expect('{', "'{' (one JSON object per line)");
  if (!p.failed() && !p.At('}')) {
    while (!p.failed()) {
      const size_t key_pos = p.pos();
      const std::string key = p.String();
      p.Expect(':', "':' after a key");
      if (p.failed()) break;
      const size_t value_pos = p.pos();
      if (key == "user") {
        r.user = p.String();
        has_user = true;
      } else if (key == "song") {
        r.song = p.String();
        has_song = true;
      } else if (key == "feedback") {
        r.feedback = p.String();
        has_feedback = true;
      } else if (key == "action") {
        r.action = p.String();
        has_action = true;
        if (!p.failed() && r.action != "start") {
          p.set_pos(value_pos);
          p.Fail("unknown action '" + r.action + "' (expected start)");
        }
      } else if (key == "new_user") {
        r.new_user = p.Bool();
      } else if (key == "k") {
        const int64_t k = p.Integer();
        if (!p.failed() && (k < 1 || k > 1000)) {
          p.set_pos(value_pos);
          p.Fail("k must be in 1..1000");
        }
        r.k = static_cast<int>(k);
      } else {
        p.set_pos(key_pos);
        p.Fail("unknown key '" + key + "' (expected user, song, feedback, action, new_user, k)");
      }
      if (p.failed() || !p.At(',')) break;
      p.Expect(',', "','");
    }
  }
  p.Expect('}', "',' or '}'");
  if (!p.failed() && !p.AtEnd()) p.Fail("text after the JSON object");
  if (p.failed()) return fail();
  p.set_pos(0);
  if (!has_user || r.user.empty()) {
    p.Fail("missing \"user\"");
  } else if (has_action) {
    if (has_song || has_feedback) p.Fail("an action line takes no song or feedback");
  } else if (!has_song || r.song.empty()) {
    p.Fail("missing \"song\"");
  } else if (!has_feedback) {
    p.Fail("missing \"feedback\"");
  } else if (r.new_user) {
    p.Fail("\"new_user\" goes with \"action\": \"start\"");
  }
  return p.failed() ? fail() : true;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out.append(buf);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace melograph
