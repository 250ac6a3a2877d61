package wechat

import "context"

// AuthAdapter fits the client to the narrower interface service/auth
// declares (openid and unionid from a login code; the bare phone number
// from a phone code). The session key stays here.
type AuthAdapter struct{ C *Client }

// Code2Session returns the openid and unionid for a wx.login code.
func (a AuthAdapter) Code2Session(ctx context.Context, code string) (openID, unionID string, err error) {
	s, err := a.C.Code2Session(ctx, code)
	if err != nil {
		return "", "", err
	}
	return s.OpenID, s.UnionID, nil
}

// PhoneNumber returns the phone without country code for a phone code.
func (a AuthAdapter) PhoneNumber(ctx context.Context, code string) (string, error) {
	p, err := a.C.PhoneNumber(ctx, code)
	if err != nil {
		return "", err
	}
	return p.PureNumber, nil
}
