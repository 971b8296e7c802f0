"""Money errors with the CBC codes the partner API answers (partner-api.md §4)."""

from partnercenter.errors import DomainError


class InsufficientBalance(DomainError):
    code = "CBC.99005003"  # 余额不足


class NotSubCustomer(DomainError):
    code = "CBC.99000035"  # 非合作伙伴子客户


class NotYourReseller(DomainError):
    code = "CBC.99000037"  # 您没有操作该云经销商的权限


class RequestKeyReused(DomainError):
    """A request key names one request: reusing it for another one is refused, not absorbed."""

    code = "CBC.0100"
