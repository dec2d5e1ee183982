// The help screen's search: which FAQ entries match what the person typed, compared without
// case in every shipped language (Latin with Polish letters, Cyrillic; Hebrew has no case).
// No GUI dependency, so the screens and the tests use the same rule.
#pragma once

#include "kiosk/app/session.hpp"

#include <string>
#include <string_view>

namespace kiosk::app {

// `text` with every letter in lower case: ASCII, Latin-1, Latin Extended-A (Polish ą ć ę ł
// ń ó ś ź ż), Greek and Cyrillic (Russian ё й …). Other characters, and bytes that are not
// valid UTF-8, are kept as they are.
std::string fold_case(std::string_view text);

// [checklist] Whether `haystack` contains `needle` without case (the rule above), with no
// copy of either: for passwords. An empty needle is not contained.
bool contains_folded(std::string_view haystack, std::string_view needle);

// True when every word of `query` (split at spaces) occurs, without case, in the entry's
// question or answer. An empty or all-space query matches everything.
bool faq_matches(const FaqEntry& entry, std::string_view query);

} // namespace kiosk::app
