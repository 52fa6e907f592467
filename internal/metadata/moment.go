package metadata

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // tz='Asia/Tokyo' must work in a container without zoneinfo
)

// formatMoment renders t with a moment.js format string, the format
// metadata-action's {{date}} and {{commit_date}} take.
func formatMoment(t time.Time, format string) string {
	var b strings.Builder
	for i := 0; i < len(format); {
		if format[i] == '[' {
			end := strings.IndexByte(format[i:], ']')
			if end > 0 {
				b.WriteString(format[i+1 : i+end])
				i += end + 1
				continue
			}
		}
		tok, out := momentToken(t, format[i:])
		if tok == 0 {
			b.WriteByte(format[i])
			i++
			continue
		}
		b.WriteString(out)
		i += tok
	}
	return b.String()
}

// momentTokens are tried longest first at each position.
var momentTokens = []string{"YYYY", "MMMM", "dddd", "SSS", "MMM", "ddd", "Do", "YY", "MM", "DD", "HH", "hh", "kk", "mm", "ss", "SS",
	"ZZ", "dd", "M", "D", "H", "h", "k", "m", "s", "S", "A", "a", "Z", "X", "x", "d", "Q"}

func momentToken(t time.Time, s string) (int, string) {
	for _, tok := range momentTokens {
		if strings.HasPrefix(s, tok) {
			return len(tok), momentValue(t, tok)
		}
	}
	return 0, ""
}

func momentValue(t time.Time, tok string) string {
	h12 := t.Hour() % 12
	if h12 == 0 {
		h12 = 12
	}
	switch tok {
	case "YYYY":
		return fmt.Sprintf("%04d", t.Year())
	case "YY":
		return fmt.Sprintf("%02d", t.Year()%100)
	case "Q":
		return fmt.Sprint((int(t.Month())-1)/3 + 1)
	case "MMMM":
		return t.Month().String()
	case "MMM":
		return t.Month().String()[:3]
	case "MM":
		return fmt.Sprintf("%02d", int(t.Month()))
	case "M":
		return fmt.Sprint(int(t.Month()))
	case "DD":
		return fmt.Sprintf("%02d", t.Day())
	case "D":
		return fmt.Sprint(t.Day())
	case "Do":
		return ordinal(t.Day())
	case "dddd":
		return t.Weekday().String()
	case "ddd":
		return t.Weekday().String()[:3]
	case "dd":
		return t.Weekday().String()[:2]
	case "d":
		return fmt.Sprint(int(t.Weekday()))
	case "HH":
		return fmt.Sprintf("%02d", t.Hour())
	case "H":
		return fmt.Sprint(t.Hour())
	case "hh":
		return fmt.Sprintf("%02d", h12)
	case "h":
		return fmt.Sprint(h12)
	case "kk":
		return fmt.Sprintf("%02d", hour24(t))
	case "k":
		return fmt.Sprint(hour24(t))
	case "mm":
		return fmt.Sprintf("%02d", t.Minute())
	case "m":
		return fmt.Sprint(t.Minute())
	case "ss":
		return fmt.Sprintf("%02d", t.Second())
	case "s":
		return fmt.Sprint(t.Second())
	case "SSS":
		return fmt.Sprintf("%03d", t.Nanosecond()/1e6)
	case "SS":
		return fmt.Sprintf("%02d", t.Nanosecond()/1e7)
	case "S":
		return fmt.Sprint(t.Nanosecond() / 1e8)
	case "A":
		return map[bool]string{true: "PM", false: "AM"}[t.Hour() >= 12]
	case "a":
		return map[bool]string{true: "pm", false: "am"}[t.Hour() >= 12]
	case "Z":
		return t.Format("-07:00")
	case "ZZ":
		return t.Format("-0700")
	case "X":
		return fmt.Sprint(t.Unix())
	case "x":
		return fmt.Sprint(t.UnixMilli())
	}
	return tok
}

func hour24(t time.Time) int {
	if t.Hour() == 0 {
		return 24
	}
	return t.Hour()
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// dateHelper is {{date 'FORMAT' tz='ZONE'}} over the time at.
func dateHelper(at time.Time) helper {
	return func(args []param, hash map[string]string) (string, error) {
		zone := "UTC"
		for k, v := range hash {
			if k != "tz" {
				return "", fmt.Errorf("unknown %s attribute", k)
			}
			zone = v
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			return "", fmt.Errorf("time zone %q: %w", zone, err)
		}
		t := at.In(loc)
		format := defaultMomentFormat(t)
		if len(args) > 0 && args[0].defined {
			format = args[0].text
		}
		return formatMoment(t, format), nil
	}
}

// defaultMomentFormat is the format moment uses when given none: a literal
// Z at UTC (an offset of zero, as moment's isUtc has it), else the offset,
// so 2020-01-10T00:30:00Z in UTC and 2020-01-10T09:30:00+09:00 in Tokyo.
func defaultMomentFormat(t time.Time) string {
	if _, offset := t.Zone(); offset == 0 {
		return "YYYY-MM-DDTHH:mm:ss[Z]"
	}
	return "YYYY-MM-DDTHH:mm:ssZ"
}
