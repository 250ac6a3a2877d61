package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/service/apperr"
)

// mountWeb serves the H5 build at / (hash routing: every page is index.html).
func (s *Server) mountWeb(r *gin.Engine) {
	r.NoRoute(func(c *gin.Context) {
		p := c.Request.URL.Path
		if strings.HasPrefix(p, "/api/") {
			fail(c, apperr.NotFound("接口"))
			return
		}
		if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			fail(c, apperr.NotFound("页面"))
			return
		}
		if s.Web == nil {
			c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(noWebPage))
			return
		}
		if p != "/" {
			if f, err := s.Web.Open(p); err == nil {
				st, _ := f.Stat()
				f.Close()
				if st != nil && !st.IsDir() {
					if strings.HasPrefix(p, "/js/") || strings.HasPrefix(p, "/css/") || strings.HasPrefix(p, "/static/") {
						c.Header("Cache-Control", "public, max-age=31536000, immutable")
					}
					c.FileFromFS(p, s.Web)
					return
				}
			}
		}
		c.Header("Cache-Control", "no-cache")
		c.FileFromFS("/", s.Web)
	})
}

const noWebPage = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>就业帮</title>
<body style="font-family:sans-serif;padding:2em"><h1>就业帮</h1>
<p>接口已启动，但没有打包前端页面。请在项目根目录运行 <code>make run</code>，它会先构建小程序的 H5 版本再启动。</p>
<p>API: <a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a></p></body></html>`
