package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/clock"
)

// mountDevClock registers GET and PUT /api/v1/dev/clock when the process runs
// with DEV_CLOCK (never in production: config.Validate refuses it). Like the
// dev login they need no token; without DEV_CLOCK they do not exist (404).
func (s *Server) mountDevClock(v1 *gin.RouterGroup) {
	if s.Clock == nil {
		return
	}
	v1.GET("/dev/clock", s.getClock)
	v1.PUT("/dev/clock", s.setClock)
}

type clockView struct {
	Now         string `json:"now"`
	OffsetHours int    `json:"offset_hours"`
}

type clockRequest struct {
	OffsetHours *int `json:"offset_hours"`
}

func (s *Server) clockView() clockView {
	return clockView{Now: stamp(s.Clock.Now()), OffsetHours: s.Clock.OffsetHours()}
}

func (s *Server) getClock(c *gin.Context) { c.JSON(http.StatusOK, s.clockView()) }

func (s *Server) setClock(c *gin.Context) {
	var req clockRequest
	if err := bind(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.OffsetHours == nil {
		fail(c, apperr.Invalid("offset_hours", "required", "请填写偏移小时数（0 表示真实时间）"))
		return
	}
	if err := s.Clock.SetOffsetHours(*req.OffsetHours); err != nil {
		fail(c, err)
		return
	}
	logger(c).Warn("dev clock moved", "offset_hours", *req.OffsetHours, "max_offset_hours", clock.MaxOffsetHours)
	c.JSON(http.StatusOK, s.clockView())
}
