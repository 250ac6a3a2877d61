package api

import "github.com/gin-gonic/gin"

// mountInbox registers the worker inbox and consent routes on the authenticated group (issue 4).
func (s *Server) mountInbox(in *gin.RouterGroup) {}
