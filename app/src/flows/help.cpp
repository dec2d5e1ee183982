// [help] The help flow: the home menu's "Help" shows the FAQ for the person's language, the
// support contacts and the QR code to continue on a phone. Searching happens as they type,
// in the screens, through faq_matches(); nothing here talks to the central.
#include "kiosk/app/help.hpp"

#include "flow_support.hpp"

#include <vector>

namespace kiosk::app {
namespace {

// One UTF-8 sequence at `i` as a code point; `length` gets its byte count. Invalid bytes
// come back as themselves with length 1 (they are copied, not folded).
char32_t decode(std::string_view s, std::size_t i, std::size_t& length) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    auto continuation = [&](std::size_t k) {
        return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    };
    auto bits = [&](std::size_t k) {
        return static_cast<char32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F);
    };
    if (b0 >= 0xC2 && b0 < 0xE0 && continuation(1)) {
        length = 2;
        return (static_cast<char32_t>(b0 & 0x1F) << 6) | bits(1);
    }
    if (b0 >= 0xE0 && b0 < 0xF0 && continuation(1) && continuation(2)) {
        length = 3;
        return (static_cast<char32_t>(b0 & 0x0F) << 12) | (bits(1) << 6) | bits(2);
    }
    if (b0 >= 0xF0 && b0 < 0xF5 && continuation(1) && continuation(2) && continuation(3)) {
        length = 4;
        return (static_cast<char32_t>(b0 & 0x07) << 18) | (bits(1) << 12) | (bits(2) << 6) |
               bits(3);
    }
    length = 1;
    return b0;
}

void encode(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Simple (one-to-one) lower-case mapping of the blocks the shipped languages write in.
char32_t lower(char32_t c) {
    if ((c >= U'A' && c <= U'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
        (c >= 0x391 && c <= 0x3AB && c != 0x3A2) || (c >= 0x410 && c <= 0x42F)) {
        return c + 0x20; // ASCII, Latin-1, Greek, Russian А–Я
    }
    if (c >= 0x400 && c <= 0x40F) {
        return c + 0x50; // Ѐ–Џ, with Ё
    }
    // Latin Extended-A pairs capital/small, on even/odd code points except in two runs.
    if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) {
        return (c % 2 == 0) ? c + 1 : c;
    }
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) {
        return (c % 2 == 1) ? c + 1 : c; // Ł ł, Ń ń, Ź ź, Ż ż
    }
    if (c == 0x178) {
        return 0xFF; // Ÿ
    }
    // Cyrillic pairs from Ѡ on (Ukrainian, Belarusian letters), even/odd.
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x4FF)) {
        return (c % 2 == 0) ? c + 1 : c;
    }
    return c;
}

std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == ' ') {
            ++i;
        }
        const std::size_t start = i;
        while (i < text.size() && text[i] != ' ') {
            ++i;
        }
        if (i > start) {
            out.push_back(text.substr(start, i - start));
        }
    }
    return out;
}

} // namespace

std::string fold_case(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        std::size_t length = 1;
        const char32_t cp = decode(text, i, length);
        if (length == 1 && cp >= 0x80) {
            out.push_back(text[i]); // not UTF-8: kept as the byte it is
        } else {
            encode(lower(cp), out);
        }
        i += length;
    }
    return out;
}

bool contains_folded(std::string_view haystack, std::string_view needle) {
    if (needle.empty()) {
        return false;
    }
    for (std::size_t start = 0; start < haystack.size();) {
        std::size_t h = start;
        std::size_t n = 0;
        while (h < haystack.size() && n < needle.size()) {
            std::size_t h_length = 1;
            std::size_t n_length = 1;
            if (lower(decode(haystack, h, h_length)) != lower(decode(needle, n, n_length))) {
                break;
            }
            h += h_length;
            n += n_length;
        }
        if (n == needle.size()) {
            return true;
        }
        std::size_t length = 1;
        decode(haystack, start, length);
        start += length;
    }
    return false;
}

bool faq_matches(const FaqEntry& entry, std::string_view query) {
    const std::string folded_query = fold_case(query);
    const auto wanted = words(folded_query);
    if (wanted.empty()) {
        return true;
    }
    const std::string haystack = fold_case(entry.question) + "\n" + fold_case(entry.answer);
    for (const auto word : wanted) {
        if (haystack.find(word) == std::string::npos) {
            return false;
        }
    }
    return true;
}

void Session::show_help() {
    view_.help = settings_.help;
    set_notice(Notice::None);
    show(Screen::Help);
}

} // namespace kiosk::app
