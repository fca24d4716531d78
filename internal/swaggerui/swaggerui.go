// Package swaggerui is the Swagger UI the API serves: swagger-ui-dist 5.35.0 from npm
// (Apache-2.0, dist/LICENSE and dist/NOTICE), vendored so that nothing is fetched from a CDN,
// with a page and a configuration of our own for people who are not developers: the bearer
// token is not kept between visits (shared PCs), no URL bar to load other documents, the
// operation filter and deep links on. To update: npm pack swagger-ui-dist@<version> and copy
// the files in dist/ from its package/ folder.
package swaggerui

import (
	"embed"
	"path"
)

// Version is the vendored swagger-ui-dist release.
const Version = "5.35.0"

//go:embed dist/swagger-ui-bundle.js dist/swagger-ui.css dist/favicon-16x16.png dist/favicon-32x32.png
//go:embed dist/LICENSE dist/NOTICE dist/swagger-ui-bundle.js.LICENSE.txt page/index.html page/initializer.js
var files embed.FS

var names = map[string]string{
	"index.html":                       "page/index.html",
	"initializer.js":                   "page/initializer.js",
	"swagger-ui-bundle.js":             "dist/swagger-ui-bundle.js",
	"swagger-ui.css":                   "dist/swagger-ui.css",
	"favicon-16x16.png":                "dist/favicon-16x16.png",
	"favicon-32x32.png":                "dist/favicon-32x32.png",
	"LICENSE":                          "dist/LICENSE",
	"NOTICE":                           "dist/NOTICE",
	"swagger-ui-bundle.js.LICENSE.txt": "dist/swagger-ui-bundle.js.LICENSE.txt",
}

var types = map[string]string{".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8", ".png": "image/png", ".txt": "text/plain; charset=utf-8", "": "text/plain; charset=utf-8"}

// File returns the content and media type of one file of the UI by its name under /swagger/.
func File(name string) ([]byte, string, bool) {
	p, ok := names[name]
	if !ok {
		return nil, "", false
	}
	b, err := files.ReadFile(p)
	if err != nil {
		return nil, "", false
	}
	return b, types[path.Ext(name)], true
}

// Names lists the files the UI serves.
func Names() []string {
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	return out
}
