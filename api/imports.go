package api

import "github.com/gin-gonic/gin"

// mountImports registers the imports routes on the authenticated group (issue 3).
func (s *Server) mountImports(in *gin.RouterGroup) {}
