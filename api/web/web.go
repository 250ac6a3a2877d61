// Package web embeds the mini-program's H5 build (miniprogram/dist/h5,
// copied here by `make web`) so one binary serves the API and the app.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed all:dist
var dist embed.FS

// FS returns the H5 build, or nil when the binary was built without it.
func FS() http.FileSystem {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil
	}
	return http.FS(sub)
}
