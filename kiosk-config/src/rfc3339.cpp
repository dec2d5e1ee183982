// RFC 3339 parsing by hand: std::get_time is locale-bound and lax, and <chrono>'s parse is
// missing from Debian 12's libstdc++.
#include "kiosk/config/rfc3339.hpp"

#include <ctime>

namespace kiosk::config {
namespace {

bool digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
    if (at + count > text.size()) {
        return false;
    }
    out = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

bool leap(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
    constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && leap(year) ? 29 : days[month - 1];
}

} // namespace

std::optional<Clock::time_point> parse_rfc3339(std::string_view text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (text.size() < 20 || !digits(text, 0, 4, year) || text[4] != '-' ||
        !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) ||
        (text[10] != 'T' && text[10] != 't') || !digits(text, 11, 2, hour) || text[13] != ':' ||
        !digits(text, 14, 2, minute) || text[16] != ':' || !digits(text, 17, 2, second)) {
        return std::nullopt;
    }
    // Leap seconds (60) are refused: no config needs one, and timegm would roll it over.
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
        hour > 23 || minute > 59 || second > 59) {
        return std::nullopt;
    }
    std::size_t at = 19;
    if (at < text.size() && text[at] == '.') {
        const std::size_t start = ++at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            ++at;
        }
        if (at == start || at - start > 9) {
            return std::nullopt;
        }
    }
    long offset_seconds = 0;
    if (at + 1 == text.size() && (text[at] == 'Z' || text[at] == 'z')) {
        // UTC
    } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-')) {
        int oh = 0, om = 0;
        if (!digits(text, at + 1, 2, oh) || text[at + 3] != ':' || !digits(text, at + 4, 2, om) ||
            oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset_seconds = (text[at] == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
    } else {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const std::time_t utc = timegm(&tm);
    return Clock::from_time_t(utc - offset_seconds);
}

std::string format_rfc3339(Clock::time_point t) {
    const std::time_t seconds = Clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buffer[32];
    const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buffer, n);
}

} // namespace kiosk::config
