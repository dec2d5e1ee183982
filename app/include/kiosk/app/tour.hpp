// The screenshot tour's stops: every screen the walk-up flow can show, as the view model a
// session would hold there, filled with demo data. `kiosk --screenshot-tour` draws each one
// in the real window; no central is involved.
#pragma once

#include "kiosk/app/session.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace kiosk::app {

struct TourStop {
    std::string name; // the PNG's file name without ".png", e.g. "enter-code-wrong-code"
    ViewModel view;
    std::string typed = {}; // typed on a physical keyboard into the field with the caret
};

// [activation] The enrolment QR code the tour shows (a made-up secret): what it must decode to.
inline constexpr std::string_view kTourOtpauthUri =
    "otpauth://totp/Kiosk:kzielinski?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Kiosk"
    "&algorithm=SHA1&digits=6&period=30";

// Every screen, every problem, the notices that carry numbers, the idle countdown, and
// the large-text and high-contrast modes, in `language`.
std::vector<TourStop> screenshot_tour(const std::string& language);

} // namespace kiosk::app
