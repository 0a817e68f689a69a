//! QR codes for URLs the user must open on another device.

use qrcode::render::svg;
use qrcode::QrCode;

/// An SVG QR code of `text`, sized for the screen, dark on light.
pub fn svg_for(text: &str) -> Result<String, String> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| format!("cannot make a QR code: {e}"))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(180, 180)
        .dark_color(svg::Color("#242424"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_an_svg() {
        let svg = super::svg_for("https://microsoft.com/devicelogin").unwrap();
        assert!(
            svg.starts_with("<?xml") && svg.contains("<svg"),
            "{}",
            &svg[..60]
        );
        assert!(svg.contains("#242424"));
    }
}
