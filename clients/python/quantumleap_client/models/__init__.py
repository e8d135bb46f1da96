"""Contains all the data models used in inputs/outputs"""

from .account_status import AccountStatus
from .ai_endpoint import AiEndpoint
from .api_key import ApiKey
from .api_key_create import ApiKeyCreate
from .api_key_created import ApiKeyCreated
from .api_key_list import ApiKeyList
from .api_key_status import ApiKeyStatus
from .audit_entry import AuditEntry
from .audit_entry_details import AuditEntryDetails
from .audit_list import AuditList
from .auth_method import AuthMethod
from .backtest import Backtest
from .backtest_in import BacktestIn
from .backtest_in_parameters import BacktestInParameters
from .backtest_metrics import BacktestMetrics
from .backtest_parameters import BacktestParameters
from .balance_out import BalanceOut
from .currency import Currency
from .database_status import DatabaseStatus
from .day_figures import DayFigures
from .decision import Decision
from .deposit_in import DepositIn
from .equity_point import EquityPoint
from .error import Error
from .error_details import ErrorDetails
from .holding_in import HoldingIn
from .holding_out import HoldingOut
from .limits_in import LimitsIn
from .limits_out import LimitsOut
from .live import Live
from .login import Login
from .logout import Logout
from .logout_result import LogoutResult
from .me import Me
from .metrics_out import MetricsOut
from .order_in import OrderIn
from .order_out import OrderOut
from .order_page import OrderPage
from .order_side import OrderSide
from .order_status import OrderStatus
from .pagination_metadata import PaginationMetadata
from .parameter_spec import ParameterSpec
from .parameter_type import ParameterType
from .payment_out import PaymentOut
from .payment_status import PaymentStatus
from .policy import Policy
from .policy_daily_limits import PolicyDailyLimits
from .policy_in import PolicyIn
from .policy_in_daily_limits_type_0 import PolicyInDailyLimitsType0
from .policy_out import PolicyOut
from .policy_out_daily_limits_type_0 import PolicyOutDailyLimitsType0
from .policy_sources import PolicySources
from .policy_used_today import PolicyUsedToday
from .position_out import PositionOut
from .price_bar_in import PriceBarIn
from .price_bars_in import PriceBarsIn
from .price_bars_result import PriceBarsResult
from .ready import Ready
from .ready_database import ReadyDatabase
from .register import Register
from .request import Request
from .request_detail import RequestDetail
from .request_detail_parameters import RequestDetailParameters
from .request_detail_result_type_0 import RequestDetailResultType0
from .request_list import RequestList
from .request_parameters import RequestParameters
from .request_status import RequestStatus
from .risk_level import RiskLevel
from .risk_metrics import RiskMetrics
from .scope import Scope
from .snapshot_in import SnapshotIn
from .snapshot_out import SnapshotOut
from .snapshot_page import SnapshotPage
from .status_out import StatusOut
from .symbol import Symbol
from .symbol_figures import SymbolFigures
from .template import Template
from .template_ref import TemplateRef
from .tier import Tier
from .token import Token
from .trade import Trade
from .trade_side import TradeSide
from .trading_status import TradingStatus
from .user import User
from .user_list import UserList
from .user_role import UserRole
from .user_update import UserUpdate

__all__ = (
    "AccountStatus",
    "AiEndpoint",
    "ApiKey",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyList",
    "ApiKeyStatus",
    "AuditEntry",
    "AuditEntryDetails",
    "AuditList",
    "AuthMethod",
    "Backtest",
    "BacktestIn",
    "BacktestInParameters",
    "BacktestMetrics",
    "BacktestParameters",
    "BalanceOut",
    "Currency",
    "DatabaseStatus",
    "DayFigures",
    "Decision",
    "DepositIn",
    "EquityPoint",
    "Error",
    "ErrorDetails",
    "HoldingIn",
    "HoldingOut",
    "LimitsIn",
    "LimitsOut",
    "Live",
    "Login",
    "Logout",
    "LogoutResult",
    "Me",
    "MetricsOut",
    "OrderIn",
    "OrderOut",
    "OrderPage",
    "OrderSide",
    "OrderStatus",
    "PaginationMetadata",
    "ParameterSpec",
    "ParameterType",
    "PaymentOut",
    "PaymentStatus",
    "Policy",
    "PolicyDailyLimits",
    "PolicyIn",
    "PolicyInDailyLimitsType0",
    "PolicyOut",
    "PolicyOutDailyLimitsType0",
    "PolicySources",
    "PolicyUsedToday",
    "PositionOut",
    "PriceBarIn",
    "PriceBarsIn",
    "PriceBarsResult",
    "Ready",
    "ReadyDatabase",
    "Register",
    "Request",
    "RequestDetail",
    "RequestDetailParameters",
    "RequestDetailResultType0",
    "RequestList",
    "RequestParameters",
    "RequestStatus",
    "RiskLevel",
    "RiskMetrics",
    "Scope",
    "SnapshotIn",
    "SnapshotOut",
    "SnapshotPage",
    "StatusOut",
    "Symbol",
    "SymbolFigures",
    "Template",
    "TemplateRef",
    "Tier",
    "Token",
    "Trade",
    "TradeSide",
    "TradingStatus",
    "User",
    "UserList",
    "UserRole",
    "UserUpdate",
)
