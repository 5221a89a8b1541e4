package main

import (
	"strconv"
	"time"
)

var (
	weekdayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	monthNames   = [...]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
)

// appendStrftime appends the expansion of the C-locale strftime conversion
// "%c" for the '@c' tokens of -F. An unknown conversion is copied as "%c",
// as glibc does.
func appendStrftime(dst []byte, c byte, t time.Time) []byte {
	num := func(v, width int, pad byte) []byte {
		s := strconv.Itoa(v)
		dst = appendBlank(dst, pad, width-len(s))
		return append(dst, s...)
	}
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	switch c {
	case 'a':
		return append(dst, weekdayNames[t.Weekday()][:3]...)
	case 'A':
		return append(dst, weekdayNames[t.Weekday()]...)
	case 'b', 'h':
		return append(dst, monthNames[t.Month()-1][:3]...)
	case 'B':
		return append(dst, monthNames[t.Month()-1]...)
	case 'c':
		return append(dst, t.Format("Mon Jan _2 15:04:05 2006")...)
	case 'C':
		return num(t.Year()/100, 2, '0')
	case 'd':
		return num(t.Day(), 2, '0')
	case 'D', 'x':
		return append(dst, t.Format("01/02/06")...)
	case 'e':
		return num(t.Day(), 2, ' ')
	case 'F':
		return append(dst, t.Format("2006-01-02")...)
	case 'g':
		y, _ := t.ISOWeek()
		return num(y%100, 2, '0')
	case 'G':
		y, _ := t.ISOWeek()
		return num(y, 0, '0')
	case 'H':
		return num(t.Hour(), 2, '0')
	case 'I':
		return num(hour12, 2, '0')
	case 'j':
		return num(t.YearDay(), 3, '0')
	case 'k':
		return num(t.Hour(), 2, ' ')
	case 'l':
		return num(hour12, 2, ' ')
	case 'm':
		return num(int(t.Month()), 2, '0')
	case 'M':
		return num(t.Minute(), 2, '0')
	case 'n':
		return append(dst, '\n')
	case 'p':
		if t.Hour() < 12 {
			return append(dst, "AM"...)
		}
		return append(dst, "PM"...)
	case 'P':
		if t.Hour() < 12 {
			return append(dst, "am"...)
		}
		return append(dst, "pm"...)
	case 'r':
		return append(dst, t.Format("03:04:05 PM")...)
	case 'R':
		return append(dst, t.Format("15:04")...)
	case 's':
		return strconv.AppendInt(dst, t.Unix(), 10)
	case 'S':
		return num(t.Second(), 2, '0')
	case 't':
		return append(dst, '\t')
	case 'T', 'X':
		return append(dst, t.Format("15:04:05")...)
	case 'u':
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return num(wd, 0, '0')
	case 'U':
		return num((t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
	case 'V':
		_, w := t.ISOWeek()
		return num(w, 2, '0')
	case 'w':
		return num(int(t.Weekday()), 0, '0')
	case 'W':
		return num((t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2, '0')
	case 'y':
		return num(t.Year()%100, 2, '0')
	case 'Y':
		return num(t.Year(), 0, '0')
	case 'z':
		return append(dst, t.Format("-0700")...)
	case 'Z':
		name, _ := t.Zone()
		return append(dst, name...)
	case '%':
		return append(dst, '%')
	}
	return append(dst, '%', c)
}
