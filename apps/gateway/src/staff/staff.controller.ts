import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
import { STAFF_ROLES } from '@ecert/common';
import { RequiresOperation } from '../access/access.decorators';
import { StaffService } from './staff.service';
import { ProblemCode } from '@ecert/common';
import type { Page } from '@ecert/contracts';
import { PageQueryDto } from '../pagination/page-query.dto';
import { ApiProblems, ApiResult } from '../openapi/api-docs.decorators';
import type { StaffView } from './staff.view';

export class CreateStaffDto {
  @ApiProperty() @IsString() @Length(1, 64) name: string;
  @ApiProperty({ enum: STAFF_ROLES }) @IsIn(STAFF_ROLES as unknown as string[]) role: string;
  @ApiProperty({ description: 'GB/T 2260 code of the office; 000000 = national' }) @Matches(/^\d{6}$/, { message: 'regionCode must be 6 digits' }) regionCode: string;
  @ApiProperty({ description: 'serials of ecert-issued personal certificates to log in with', type: [String] })
  @IsArray()
  @ArrayMaxSize(10)
  @Matches(/^[0-9a-fA-F]{2,40}$/, { each: true, message: 'each certificate serial must be hex' })
  certificateSerials: string[];
}

export class UpdateStaffDto {
  @ApiProperty({ enum: ['enabled', 'disabled'] }) @IsIn(['enabled', 'disabled']) status: 'enabled' | 'disabled';
}

@ApiTags('staff')
@Controller('api/v1/staff')
@RequiresOperation('admin')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Post()
  @ApiOperation({ summary: 'Create a staff account bound to its login certificate(s)' })
  @ApiResult('StaffView')
  @ApiProblems({ 409: [ProblemCode.validationFailed] })
  create(@Body() dto: CreateStaffDto): Promise<StaffView> {
    return this.staff.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'The staff accounts, oldest first (paginated)' })
  @ApiResult('StaffPage')
  list(@Query() q: PageQueryDto): Promise<Page<StaffView>> {
    return this.staff.list(q.page, q.pageSize);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One staff account' })
  @ApiResult('StaffView')
  @ApiProblems({ 404: [ProblemCode.notFound] })
  get(@Param('id') id: string): Promise<StaffView> {
    return this.staff.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Enable or disable a staff account (a disabled one is refused at its next request)' })
  @ApiResult('StaffView')
  @ApiProblems({ 404: [ProblemCode.notFound] })
  update(@Param('id') id: string, @Body() dto: UpdateStaffDto): Promise<StaffView> {
    return this.staff.setStatus(id, dto.status);
  }
}
