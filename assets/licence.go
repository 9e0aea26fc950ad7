package assets

import _ "embed"

//go:embed fonts/OFL.txt
var fontLicence string

// FontLicence is the licence of the bundled Noto Sans CJK fonts (SIL Open Font License 1.1),
// which the desk's About box shows.
func FontLicence() string { return fontLicence }
