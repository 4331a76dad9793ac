package scraper

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// LoadCookies reads a Netscape cookies.txt file (what browser extensions and curl
// export) into a jar, so members-only threads can be archived with a logged-in
// session without scripting a login.
func LoadCookies(path string) (http.CookieJar, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cookies: %w", err)
	}
	defer f.Close()
	jar, err := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	if err != nil {
		return nil, fmt.Errorf("cookies: %w", err)
	}
	byURL := map[string][]*http.Cookie{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		httpOnly := false
		if strings.HasPrefix(text, "#HttpOnly_") {
			text, httpOnly = strings.TrimPrefix(text, "#HttpOnly_"), true
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) != 7 {
			return nil, fmt.Errorf("cookies: %s line %d: want 7 tab-separated fields, got %d (is this a Netscape cookies.txt?)", path, line, len(fields))
		}
		domain, path, secure, name, value := fields[0], fields[2], fields[3] == "TRUE", fields[5], fields[6]
		c := &http.Cookie{Name: name, Value: value, Path: path, Secure: secure, HttpOnly: httpOnly}
		if exp, err := strconv.ParseInt(fields[4], 10, 64); err == nil && exp > 0 {
			c.Expires = time.Unix(exp, 0)
		}
		host := strings.TrimPrefix(domain, ".")
		if strings.HasPrefix(domain, ".") {
			c.Domain = host
		}
		scheme := "http"
		if secure {
			scheme = "https"
		}
		u := (&url.URL{Scheme: scheme, Host: host, Path: "/"}).String()
		byURL[u] = append(byURL[u], c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cookies: %w", err)
	}
	for raw, cs := range byURL {
		u, _ := url.Parse(raw)
		jar.SetCookies(u, cs)
	}
	return jar, nil
}
