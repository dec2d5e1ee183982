// QR codes for receipts and links (libqrencode behind this header): the module matrix of a
// text, and the horizontal runs of dark modules a renderer draws as one rectangle each.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace kiosk::ui {

// A QR symbol's modules, without the quiet zone: `width` × `width`, row-major, true = dark.
struct QrMatrix {
    int width = 0;
    std::vector<bool> dark;
    [[nodiscard]] bool at(int x, int y) const {
        return dark[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                    static_cast<std::size_t>(x)];
    }
};

// The modules of `text` as 8-bit data at error-correction level M; nullopt when the text
// is empty or longer than a QR code holds (libqrencode says why in its log only).
std::optional<QrMatrix> encode_qr(std::string_view text);

// Forgets `matrix`'s modules (for the QR code of a secret) and frees them.
void wipe(QrMatrix& matrix);

// A horizontal run of dark modules: row `row`, columns [first, first + count).
struct QrRun {
    int row = 0;
    int first = 0;
    int count = 0;
};
// Every run of `matrix`, top to bottom, left to right: drawn one rectangle per run, a code
// needs a few hundred rectangles instead of a thousand squares, and no seams show.
std::vector<QrRun> qr_runs(const QrMatrix& matrix);

// Modules of light margin a reader needs around the symbol (ISO/IEC 18004).
inline constexpr int kQrQuietZone = 4;

} // namespace kiosk::ui
