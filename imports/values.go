package imports

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"kefu/shop"
)

// The readers of cell values. Each returns an error whose text is the refusal's reason.

// clean trims a cell (spaces, full-width spaces, BOMs, tabs) and unwraps what spreadsheets
// leave on it: Taobao's bare formula ="…" and a leading apostrophe that keeps a number text.
func clean(s string) string {
	s = strings.Trim(s, " \t\r\n\u3000\ufeff\u00a0")
	if strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) && len(s) >= 3 {
		s = s[2 : len(s)-1]
	}
	s = strings.TrimPrefix(s, "'")
	return strings.Trim(s, " \t\u3000")
}

var sciNumber = regexp.MustCompile(`^[+-]?[0-9]*\.?[0-9]+[eE][+-]?[0-9]+$`)

// errRounded is the reason for a number Excel turned into a float.
var errRounded = errors.New("Excel turned this number into a float; its digits are lost (re-export the file, or format the column as text before saving it)")

// idValue reads an identifier (order number, SKU code): no float, no space or slash.
func idValue(s string) (string, error) {
	if sciNumber.MatchString(s) {
		return "", fmt.Errorf("%q: %w", s, errRounded)
	}
	if len(s) > 64 {
		return "", fmt.Errorf("%q is longer than 64 bytes", s[:64]+"…")
	}
	if strings.ContainsAny(s, "/\x00 \t\n\r") {
		return "", fmt.Errorf("%q holds a space or a slash, which no identifier may", s)
	}
	return s, nil
}

var (
	moneyMarks = strings.NewReplacer("元", "", "¥", "", "￥", "", "$", "", ",", "", " ", "")
	phoneMarks = strings.NewReplacer(" ", "", "-", "")
	propsMarks = strings.NewReplacer(":", "-", ";", "-")
)

// money reads an amount as the platform wrote it, in cents: 12.5, ¥12.50, 0元, 1,299.00.
func money(s string) (shop.Cents, error) {
	v := moneyMarks.Replace(s)
	if v == "" {
		return 0, nil
	}
	if sciNumber.MatchString(v) {
		return 0, fmt.Errorf("%q: %w", s, errRounded)
	}
	neg := strings.HasPrefix(v, "-")
	v = strings.TrimPrefix(v, "-")
	whole, frac, _ := strings.Cut(v, ".")
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q has more than two decimals", s)
	}
	frac += strings.Repeat("0", 2-len(frac))
	if whole == "" {
		whole = "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w > 1e12 {
		return 0, fmt.Errorf("%q is not an amount of money", s)
	}
	c := shop.Cents(w*100 + f)
	if neg {
		c = -c
	}
	return c, nil
}

// quantity reads a whole number of items: 3, 3.0 (Excel), never 3.5 or below zero.
func quantity(s string) (int, error) {
	v := strings.ReplaceAll(s, ",", "")
	if v == "" {
		return 0, nil
	}
	if sciNumber.MatchString(v) {
		return 0, fmt.Errorf("%q: %w", s, errRounded)
	}
	if w, frac, ok := strings.Cut(v, "."); ok && strings.Trim(frac, "0") == "" {
		v = w
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > shop.MaxQuantity {
		return 0, fmt.Errorf("%q is not a quantity from 0 to %d", s, shop.MaxQuantity)
	}
	return n, nil
}

// timeLayouts are the layouts exports write times in: Taobao's, Excel's re-save (seconds
// lost), Shopify's with a zone, ISO.
var timeLayouts = []string{
	"2006-01-02 15:04:05", "2006/01/02 15:04:05", "2006/1/2 15:04:05", "2006-1-2 15:04:05",
	"2006-01-02 15:04", "2006/01/02 15:04", "2006/1/2 15:04", "2006-1-2 15:04",
	"2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -07:00", time.RFC3339, "2006-01-02T15:04:05",
	"2006-01-02", "2006/01/02", "2006/1/2",
}

// when reads a time; one without a zone is in the shop's zone (China). A number is an Excel
// date serial (an XLSX date cell).
func when(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, shop.ShopZone); err == nil {
			return t.In(shop.ShopZone), nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 20000 && f < 80000 {
		t, err := excelize.ExcelDateToTime(f, false)
		if err == nil {
			// Excel keeps wall-clock times; they are the shop's.
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, shop.ShopZone), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time (like 2026-11-20 10:30:00)", s)
}

// phone cleans a phone number: Taobao's leading apostrophe is gone already; spaces and dashes go.
func phone(s string) (string, error) {
	if sciNumber.MatchString(s) {
		return "", fmt.Errorf("%q: %w", s, errRounded)
	}
	v := phoneMarks.Replace(s)
	if len(v) > 32 {
		return "", fmt.Errorf("%q is not a phone number", s)
	}
	return v, nil
}

// tracking drops the "No:" Taobao puts before some tracking numbers.
func tracking(s string) (string, error) {
	for _, p := range []string{"No:", "No：", "NO:", "no:"} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	return idValue(s)
}

var zipTail = regexp.MustCompile(`[(（]\s*([0-9]{6})?\s*[)）]\s*$`)

// taobaoAddress splits Taobao's 收货地址, "省 市 区 详细地址(邮编)", into its parts.
func taobaoAddress(s string) shop.Address {
	var a shop.Address
	if m := zipTail.FindStringSubmatchIndex(s); m != nil {
		if m[2] >= 0 {
			a.Zip = s[m[2]:m[3]]
		}
		s = strings.TrimSpace(s[:m[0]])
	}
	parts := strings.Fields(strings.ReplaceAll(s, "\u3000", " "))
	switch {
	case len(parts) >= 4:
		a.Province, a.City, a.District, a.Detail = parts[0], parts[1], parts[2], strings.Join(parts[3:], " ")
	case len(parts) == 3:
		a.Province, a.City, a.Detail = parts[0], parts[1], parts[2]
	case len(parts) == 2:
		a.Province, a.Detail = parts[0], parts[1]
	case len(parts) == 1:
		a.Detail = parts[0]
	}
	return a
}

// stars reads a review's star count, 1 to 5.
func stars(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 5 {
		return 0, fmt.Errorf("%q is not a star count from 1 to 5", s)
	}
	return n, nil
}

// list splits tags: by commas (ASCII or full-width), semicolons or 、.
func list(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",，;；、|", r) }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}
