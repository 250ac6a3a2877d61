package api

import "github.com/gin-gonic/gin"

// mountLists registers the lists routes on the authenticated group (issue 3).
func (s *Server) mountLists(in *gin.RouterGroup) {}
