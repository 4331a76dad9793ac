module github.com/forumarc/forumarc

go 1.26.8

require (
	github.com/PuerkitoBio/goquery v1.13.0
	github.com/andybalholm/cascadia v1.3.5
	golang.org/x/net v0.62.0
	golang.org/x/text v0.43.0
)

require go.yaml.in/yaml/v3 v3.0.6
